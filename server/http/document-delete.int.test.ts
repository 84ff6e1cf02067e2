import { afterEach, describe, expect, it } from 'vitest';
import { CloseCode } from '../../shared/protocol.js';
import { startTestServer, type TestServer } from '../test-support/test-server.js';
import { connectClient, type TestClient } from '../test-support/test-client.js';
import { waitFor } from '../test-support/wait-for.js';
import { startAuthServer, token } from '../test-support/auth-fixtures.js';

describe('DELETE /api/docs/:name', () => {
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

  async function writeText(name: string, text: string, params: Record<string, string> = {}): Promise<TestClient> {
    const client = connect(name, params);
    await client.synced();
    client.doc.getText('t').insert(0, text);
    const sent = client.sentUpdateMessages;
    await waitFor(() => client.savedCount >= sent, { message: `${name} saved` });
    return client;
  }

  it('closes live connections with 4404, removes the content, and a new client gets an empty document', async () => {
    server = await startTestServer(['--log-level', 'warn']);
    const editors = [await writeText('doomed', 'secret'), connect('doomed')];
    await editors[1]!.synced();
    const codes: number[] = [];
    for (const editor of editors) {
      editor.provider.on('connection-close', (event: CloseEvent | null) => codes.push(event?.code ?? 0));
    }
    const response = await fetch(`${server.url}/api/docs/doomed`, { method: 'DELETE' });
    expect(response.status).toBe(204);
    await waitFor(() => codes.length === 2, { message: 'both sockets closed' });
    expect(codes).toEqual([CloseCode.documentDeleted, CloseCode.documentDeleted]);
    expect(server.server.registry.peekLoaded('doomed')).toBeNull();
    expect((await fetch(`${server.url}/api/docs/doomed`)).status).toBe(404);
    // y-websocket stops on 44xx codes: the old copies are not merged back by a reconnect.
    expect(editors.map((editor) => editor.provider.shouldConnect)).toEqual([false, false]);

    const fresh = connect('doomed');
    await fresh.synced();
    expect(fresh.doc.getText('t').toString()).toBe('');
    fresh.destroy();
    clients.length = 0;
    await server.restart();
    expect((await fetch(`${server.url}/api/docs/doomed`)).status).toBe(404);
  });

  it('refuses joins while the delete runs (1013), so a racing client cannot reload the old content, and lets it in empty after', async () => {
    // The store delete is held open by the test, so the race window is as wide as we like.
    let releaseDelete = (): void => undefined;
    const gate = new Promise<void>((resolve) => (releaseDelete = resolve));
    server = await startTestServer(['--log-level', 'warn'], {}, {
      wrapStore: (store) => ({
        ...store,
        load: (name) => store.load(name),
        appendUpdates: (...args) => store.appendUpdates(...args),
        compact: (...args) => store.compact(...args),
        list: () => store.list(),
        ping: () => store.ping(),
        close: () => store.close(),
        delete: async (name) => {
          await gate;
          await store.delete(name);
        },
      }),
    });
    await writeText('raced', 'stale');
    const deleted = fetch(`${server.url}/api/docs/raced`, { method: 'DELETE' });
    await waitFor(() => server.server.registry.isDeleting('raced') && server.server.registry.peekLoaded('raced') === null, {
      message: 'room gone, store delete held',
    });
    await expect(server.server.registry.open('raced')).rejects.toMatchObject({ code: 'document-deleting' });
    const racingWrite = await fetch(`${server.url}/api/docs/raced/append`, { method: 'POST', headers: { 'content-type': 'text/markdown' }, body: 'late' });
    expect(racingWrite.status).toBe(409);
    expect(await racingWrite.json()).toMatchObject({ error: { code: 'document-deleted' } });
    const racer = connectClient(server.wsUrl, 'raced', { params: {} });
    clients.push(racer);
    const racerCodes: number[] = [];
    racer.provider.on('connection-close', (event: CloseEvent | null) => racerCodes.push(event?.code ?? 0));
    // Refused with a transient code, so y-websocket retries until the delete is done.
    await waitFor(() => racerCodes.includes(CloseCode.tryAgainLater), { message: 'racing client refused with 1013' });
    expect(racer.doc.getText('t').toString()).toBe('');
    releaseDelete();
    expect((await deleted).status).toBe(204);
    await racer.synced();
    expect(racer.doc.getText('t').toString()).toBe('');
  });

  it('answers 404 for an unknown document and 403 to a read-only token, deleting nothing', async () => {
    server = await startAuthServer();
    const writerToken = await token({ sub: 'w', docs: ['kept:write', 'ghost:write'] });
    const readerToken = await token({ sub: 'r', docs: ['kept:read'] });
    const writer = await writeText('kept', 'still here', { token: writerToken });
    const del = (name: string, bearer: string) =>
      fetch(`${server.url}/api/docs/${name}`, { method: 'DELETE', headers: { authorization: `Bearer ${bearer}` } });
    const missing = await del('ghost', writerToken);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: 'not-found' } });
    expect((await del('kept', readerToken)).status).toBe(403);
    expect(server.server.registry.peekLoaded('kept')?.doc.getText('t').toString()).toBe('still here');
    expect(writer.provider.wsconnected).toBe(true);
  });
});
