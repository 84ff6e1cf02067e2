import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { startTestServer, type TestServer } from '../test-support/test-server.js';
import { connectClient, type TestClient } from '../test-support/test-client.js';

interface Page {
  documents: Array<{ name: string; bytes: number; updatedAt: string; connections: number }>;
  nextCursor: string | null;
}

describe('GET /api/docs paged', () => {
  let server: TestServer;
  const clients: TestClient[] = [];

  beforeEach(async () => {
    server = await startTestServer(['--log-level', 'warn']);
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) client.destroy();
    await server.dispose();
  });

  async function create(name: string): Promise<void> {
    const doc = new Y.Doc();
    doc.getText('t').insert(0, name);
    const response = await fetch(`${server.url}/api/docs/${name}/updates`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: Buffer.from(Y.encodeStateAsUpdate(doc)),
    });
    expect(response.status).toBe(200);
  }

  async function page(query: string): Promise<Page> {
    const response = await fetch(`${server.url}/api/docs${query}`);
    expect(response.status, query).toBe(200);
    return (await response.json()) as Page;
  }

  it('walks 250 documents in pages of the given limit, each exactly once, newest first', async () => {
    const names = Array.from({ length: 250 }, (_, i) => `doc-${String(i).padStart(3, '0')}`);
    for (let i = 0; i < names.length; i += 25) await Promise.all(names.slice(i, i + 25).map(create));

    const first = await page('');
    expect(first.documents).toHaveLength(100);
    expect(first.nextCursor).not.toBeNull();

    const seen: Page['documents'] = [];
    let query = '?limit=60';
    let pages = 0;
    for (;;) {
      const current = await page(query);
      pages++;
      seen.push(...current.documents);
      if (current.nextCursor === null) break;
      query = `?limit=60&cursor=${encodeURIComponent(current.nextCursor)}`;
    }
    expect(pages).toBe(5);
    expect(seen.map((doc) => doc.name).sort()).toEqual(names);
    const times = seen.map((doc) => Date.parse(doc.updatedAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(seen.every((doc) => doc.bytes > 0 && doc.connections === 0)).toBe(true);
    expect((await page('?limit=1000')).documents).toHaveLength(250);
  });

  it('counts live connections per document', async () => {
    await create('busy');
    await create('quiet');
    for (let i = 0; i < 2; i++) {
      const client = connectClient(server.wsUrl, 'busy');
      clients.push(client);
      await client.synced();
    }
    const { documents } = await page('');
    expect(documents.find((doc) => doc.name === 'busy')?.connections).toBe(2);
    expect(documents.find((doc) => doc.name === 'quiet')?.connections).toBe(0);
  });

  it('answers 400 for a bad limit or cursor', async () => {
    const cases: Array<[string, string]> = [
      ['?limit=0', 'invalid-limit'],
      ['?limit=1001', 'invalid-limit'],
      ['?limit=abc', 'invalid-limit'],
      ['?cursor=not-ours', 'invalid-cursor'],
    ];
    for (const [query, code] of cases) {
      const response = await fetch(`${server.url}/api/docs${query}`);
      expect(response.status, query).toBe(400);
      expect(await response.json(), query).toMatchObject({ error: { code } });
    }
  });
});
