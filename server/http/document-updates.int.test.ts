import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { startTestServer, type TestServer } from '../test-support/test-server.js';
import { connectClient, type TestClient } from '../test-support/test-client.js';
import { waitFor } from '../test-support/wait-for.js';
import { startAuthServer, token } from '../test-support/auth-fixtures.js';

describe('POST /api/docs/:name/updates', () => {
  let server: TestServer;
  const clients: TestClient[] = [];

  afterEach(async () => {
    for (const client of clients.splice(0)) client.destroy();
    await server.dispose();
  });

  function connect(name: string, params: Record<string, string> = {}): TestClient {
    const client = connectClient(server.wsUrl, name, { saveAck: true, params });
    clients.push(client);
    return client;
  }

  /** An update made on a copy of `base` (empty when null): what an HTTP caller would send. */
  function editOf(base: Uint8Array | null, edit: (doc: Y.Doc) => void): Uint8Array {
    const doc = new Y.Doc();
    if (base) Y.applyUpdate(doc, base);
    const before = Y.encodeStateVector(doc);
    edit(doc);
    return Y.encodeStateAsUpdate(doc, before);
  }

  function post(name: string, body: Uint8Array, headers: Record<string, string> = {}): Promise<Response> {
    return fetch(`${server.url}/api/docs/${name}/updates`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream', ...headers },
      body: Buffer.from(body),
    });
  }

  async function state(name: string): Promise<{ update: Uint8Array; etag: string }> {
    const response = await fetch(`${server.url}/api/docs/${name}?format=yjs`);
    return { update: new Uint8Array(await response.arrayBuffer()), etag: response.headers.get('etag')! };
  }

  it('applies the update, answers with the new ETag once stored, and a live WebsocketProvider sees it', async () => {
    server = await startTestServer(['--log-level', 'warn']);
    const live = connect('posted');
    await live.synced();
    live.doc.getText('t').insert(0, 'live ');
    const sent = live.sentUpdateMessages;
    await waitFor(() => live.savedCount >= sent, { message: 'live edit saved' });
    const before = await state('posted');

    const response = await post('posted', editOf(before.update, (doc) => doc.getText('t').insert(5, 'http')));
    expect(response.status).toBe(200);
    const { etag } = (await response.json()) as { etag: string };
    expect(response.headers.get('etag')).toBe(etag);
    expect(etag).not.toBe(before.etag);
    await waitFor(() => live.doc.getText('t').toString() === 'live http', { message: 'live client sees the update' });
    expect((await state('posted')).etag).toBe(etag);

    // Stored, not only live: it survives a restart.
    live.destroy();
    clients.length = 0;
    await server.restart();
    const reloaded = new Y.Doc();
    Y.applyUpdate(reloaded, (await state('posted')).update);
    expect(reloaded.getText('t').toString()).toBe('live http');
  });

  it('answers 412 for a stale If-Match after a live edit, and merges both sides without If-Match', async () => {
    server = await startTestServer(['--log-level', 'warn']);
    const live = connect('raced');
    await live.synced();
    live.doc.getText('t').insert(0, 'A');
    await waitFor(() => server.server.registry.peekLoaded('raced')?.doc.getText('t').toString() === 'A', { message: 'first edit' });
    const seen = await state('raced');

    live.doc.getText('t').insert(1, 'B');
    await waitFor(() => server.server.registry.peekLoaded('raced')?.doc.getText('t').toString() === 'AB', { message: 'concurrent edit' });
    const httpEdit = editOf(seen.update, (doc) => doc.getText('t').insert(0, 'H'));

    const refused = await post('raced', httpEdit, { 'if-match': seen.etag });
    expect(refused.status).toBe(412);
    expect(await refused.json()).toMatchObject({ error: { code: 'precondition-failed' } });
    expect(server.server.registry.peekLoaded('raced')!.doc.getText('t').toString()).toBe('AB');

    const current = await state('raced');
    const matching = await post('raced', editOf(current.update, (doc) => doc.getText('t').insert(2, 'C')), { 'if-match': current.etag });
    expect(matching.status).toBe(200);

    const merged = await post('raced', httpEdit);
    expect(merged.status).toBe(200);
    await waitFor(() => live.doc.getText('t').toString() === 'HABC', { message: 'both sides merged on the live client' });
  });

  it('refuses a corrupt, an empty and a truncated update with 400 and changes nothing', async () => {
    server = await startTestServer(['--log-level', 'warn']);
    const live = connect('guarded');
    await live.synced();
    live.doc.getText('t').insert(0, 'safe');
    await waitFor(() => server.server.registry.peekLoaded('guarded')?.doc.getText('t').toString() === 'safe', { message: 'edit' });
    const before = await state('guarded');
    const valid = editOf(before.update, (doc) => doc.getText('t').insert(0, 'x'.repeat(50)));
    const bodies = [new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x01]), new Uint8Array([]), valid.subarray(0, valid.length - 10)];
    for (const body of bodies) {
      const response = await post('guarded', body);
      expect(response.status, `${body.length} bytes`).toBe(400);
      expect(await response.json()).toMatchObject({ error: { code: 'invalid-update' } });
    }
    expect((await state('guarded')).etag).toBe(before.etag);
    expect(live.doc.getText('t').toString()).toBe('safe');
  });

  it('answers 413 with a JSON error for a body over the message limit, and 415 for another type', async () => {
    server = await startTestServer(['--log-level', 'warn', '--max-message-bytes', '65536']);
    const big = editOf(null, (doc) => doc.getText('t').insert(0, 'x'.repeat(100_000)));
    const response = await post('big', big);
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ error: { code: 'too-large' } });
    expect((await fetch(`${server.url}/api/docs/big`)).status).toBe(404);
    const wrongType = await post('big', editOf(null, (doc) => doc.getText('t').insert(0, 'x')), { 'content-type': 'text/plain' });
    expect(wrongType.status).toBe(415);
  });

  it('answers 403 to a read-only token and applies nothing', async () => {
    server = await startAuthServer();
    const reader = await token({ sub: 'r', docs: ['shared:read'] });
    const writer = await token({ sub: 'w', docs: ['shared:write'] });
    const update = editOf(null, (doc) => doc.getText('t').insert(0, 'x'));
    const refused = await post('shared', update, { authorization: `Bearer ${reader}` });
    expect(refused.status).toBe(403);
    expect(server.server.registry.peekLoaded('shared')).toBeNull();
    expect((await post('shared', update, { authorization: `Bearer ${writer}` })).status).toBe(200);
  });
});
