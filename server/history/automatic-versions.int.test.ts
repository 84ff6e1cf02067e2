import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { startTestServer, type TestServer } from '../test-support/test-server.js';
import { connectClient, type TestClient } from '../test-support/test-client.js';
import { waitFor } from '../test-support/wait-for.js';
import { ManualClock } from '../test-support/manual-clock.js';
import { paragraphText, plainText, writeParagraphs } from '../test-support/paragraph-docs.js';

const SECOND = 1_000;
const MINUTE = 60 * SECOND;

const tokens = (count: number): string => Array.from({ length: count }, (_, i) => ` ${i}`).join('');

interface Listed {
  id: number;
  kind: string;
  createdAt: string;
  bytes: number;
  editors: Array<{ sub: string; name: string | null }>;
}

describe('automatic versions (defaults: quiet 30 s, at least every 10 min; driven clock)', () => {
  let server: TestServer;
  let clock: ManualClock;
  const clients: TestClient[] = [];

  beforeEach(async () => {
    clock = new ManualClock();
    server = await startTestServer(['--log-level', 'warn'], {}, { start: { historyClock: clock } });
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) client.destroy();
    await server.dispose();
  });

  async function open(name: string): Promise<TestClient> {
    const client = connectClient(server.wsUrl, name);
    clients.push(client);
    await client.synced();
    return client;
  }

  /** Edits through the client and waits until the server holds the edit, so the clock is read at its arrival. */
  async function edit(client: TestClient, name: string, change: () => void): Promise<void> {
    change();
    const expected = plainText(client.doc);
    await waitFor(() => {
      const room = server.server.registry.peekLoaded(name);
      return room !== null && plainText(room.doc) === expected;
    }, { message: 'the server to hold the edit' });
  }

  async function versions(name: string): Promise<Listed[]> {
    await server.server.history.idle();
    const response = await fetch(`${server.url}/api/docs/${name}/versions`);
    expect(response.status).toBe(200);
    return ((await response.json()) as { versions: Listed[] }).versions;
  }

  async function versionText(name: string, id: number): Promise<string> {
    const response = await fetch(`${server.url}/api/docs/${name}/versions/${id}?format=text`);
    expect(response.status).toBe(200);
    return response.text();
  }

  it('cuts a version once the document has been quiet for 30 s after changes, not before, naming the editor', async () => {
    const client = await open('quiet');
    await edit(client, 'quiet', () => writeParagraphs(client.doc, 'hello'));
    clock.advance(20 * SECOND);
    await edit(client, 'quiet', () => paragraphText(client.doc, 0).insert(5, ' world'));
    clock.advance(29 * SECOND);
    expect(await versions('quiet')).toEqual([]);
    clock.advance(1 * SECOND);
    const listed = await versions('quiet');
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ kind: 'auto', editors: [{ sub: 'anonymous', name: 'anonymous' }] });
    expect(Date.parse(listed[0]!.createdAt)).toBe(clock.now());
    expect(await versionText('quiet', listed[0]!.id)).toBe('hello world');
    // Nothing changed since: no more versions however long it stays quiet.
    clock.advance(60 * MINUTE);
    expect(await versions('quiet')).toHaveLength(1);
  });

  it('during continuous editing (an edit every 20 s) cuts one at 10 minutes, and one more once it goes quiet', async () => {
    const client = await open('busy');
    await edit(client, 'busy', () => writeParagraphs(client.doc, 'log:'));
    const text = paragraphText(client.doc, 0);
    clock.advance(SECOND);
    const start = clock.now() - SECOND;
    for (let i = 0; i < 36; i++) {
      await edit(client, 'busy', () => text.insert(text.length, ` ${i}`));
      clock.advance(20 * SECOND); // 12 minutes in all, never 30 s quiet
    }
    const during = await versions('busy');
    expect(during).toHaveLength(1);
    expect(Date.parse(during[0]!.createdAt) - start).toBe(10 * MINUTE);
    // First edit at 0:00, token i at 0:01 + 20 s × i: tokens 0..29 (the last at 9:41) came before the cut at 10:00.
    expect(await versionText('busy', during[0]!.id)).toBe(`log:${tokens(30)}`);
    clock.advance(30 * SECOND);
    const after = await versions('busy');
    expect(after).toHaveLength(2);
    expect(await versionText('busy', after[0]!.id)).toBe(`log:${tokens(36)}`);
  });

  it('cuts a version when a document with unversioned changes unloads, and none when it had none', async () => {
    const client = await open('leaving');
    await edit(client, 'leaving', () => writeParagraphs(client.doc, 'typed then left'));
    client.destroy();
    await waitFor(() => server.server.registry.peekLoaded('leaving') === null, { message: 'the document to unload' });
    const listed = await versions('leaving');
    expect(listed.map((v) => v.kind)).toEqual(['auto']);
    expect(await versionText('leaving', listed[0]!.id)).toBe('typed then left');

    const reader = await open('leaving');
    reader.destroy();
    await waitFor(() => server.server.registry.peekLoaded('leaving') === null, { message: 'the document to unload again' });
    expect(await versions('leaving')).toHaveLength(1);
  });

  it('an edit through the HTTP API counts as a change but names no editor', async () => {
    const other = new Y.Doc();
    writeParagraphs(other, 'posted');
    const posted = await fetch(`${server.url}/api/docs/posted/updates`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: Buffer.from(Y.encodeStateAsUpdate(other)) });
    expect(posted.status).toBe(200);
    // Cut when the lease's release unloads the document, or by the quiet timer if it is still loaded.
    clock.advance(30 * SECOND);
    await waitFor(() => server.server.registry.peekLoaded('posted') === null, { message: 'the document to unload' });
    const listed = await versions('posted');
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ kind: 'auto', editors: [] });
  });

  it('content relayed from another cluster member (pubsub) or caught up from the store cuts no version', async () => {
    const lease = await server.server.registry.open('relayed');
    try {
      const room = server.server.registry.peekLoaded('relayed')!;
      const other = new Y.Doc();
      writeParagraphs(other, 'typed on another member');
      Y.applyUpdate(room.doc, Y.encodeStateAsUpdate(other), { source: 'pubsub' });
      writeParagraphs(other, 'and caught up');
      Y.applyUpdate(room.doc, Y.encodeStateAsUpdate(other), { source: 'catch-up' });
      expect(plainText(room.doc)).toBe('typed on another member\nand caught up');
      clock.advance(60 * MINUTE);
      expect(await versions('relayed')).toEqual([]);
    } finally {
      lease.release();
    }
    await waitFor(() => server.server.registry.peekLoaded('relayed') === null, { message: 'the document to unload' });
    expect(await versions('relayed')).toEqual([]);
  });

  it('a graceful stop stores the version of a document with unversioned changes', async () => {
    const client = await open('stopping');
    await edit(client, 'stopping', () => writeParagraphs(client.doc, 'typed before the stop'));
    await server.restart();
    const listed = await versions('stopping');
    expect(listed).toHaveLength(1);
    expect(await versionText('stopping', listed[0]!.id)).toBe('typed before the stop');
  });
});
