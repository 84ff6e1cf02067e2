import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { startTestServer, type TestServer } from './test-support/test-server.js';
import { ClientPool } from './test-support/client-pool.js';
import { waitFor } from './test-support/wait-for.js';
import type { DocumentStore } from './persistence/document-store.js';

/** The document a store holds: snapshot then log, applied to a fresh Y.Doc. */
async function storedDoc(store: DocumentStore, name: string): Promise<Y.Doc> {
  const stored = await store.load(name);
  const doc = new Y.Doc();
  if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot);
  for (const update of stored.log) Y.applyUpdate(doc, update);
  return doc;
}

describe('updates whose dependencies the server has not seen', () => {
  let server: TestServer;
  const pool = new ClientPool(() => server.wsUrl);

  afterEach(async () => {
    pool.destroyAll();
    await server.dispose();
  });

  it('stores an update that depends on changes the server never got before acknowledging it, and keeps it through a restart', async () => {
    // Root cause: Yjs keeps an update whose dependencies are missing in doc.store.pendingStructs /
    // pendingDs and emits no 'update' for it, so the room wrote nothing, yet acknowledged it at
    // once; a restart lost it, and the missing change arriving later could not bring it back.
    let store: DocumentStore | null = null;
    server = await startTestServer([], {}, { wrapStore: (inner) => (store = inner) });

    // A edits offline: the server never sees this change until the end.
    const offline = new Y.Doc();
    offline.getText('t').insert(0, 'Hello world');
    const fromA = Y.encodeStateAsUpdate(offline);

    // B is connected and gets A's change from another tab (BroadcastChannel): applied with the
    // provider as origin, the provider does not send it to the server, as y-websocket does.
    const b = pool.connect('pending', { saveAck: true });
    await b.synced();
    await waitFor(() => b.savedCount >= b.sentUpdateMessages, { message: 'handshake acked' });
    Y.applyUpdate(b.doc, fromA, b.provider);
    b.doc.transact(() => {
      b.doc.getText('t').insert(5, ', dear'); // new items after A's: pending structs
      b.doc.getText('t').delete(12, 5); // deletes A's "world": a pending delete set
      b.doc.getText('t').insert(b.doc.getText('t').length, 'friend');
    });
    const expected = b.doc.getText('t').toString();
    expect(expected).toBe('Hello, dear friend');
    const sent = b.sentUpdateMessages;
    await waitFor(() => b.savedCount >= sent, { message: "ack for B's update" });

    // Acknowledged means stored: the store alone, plus A's change, gives B's content.
    const kept = await storedDoc(store!, 'pending');
    Y.applyUpdate(kept, fromA);
    expect(kept.getText('t').toString()).toBe(expected);

    // Throw B away and restart (unload, compaction, reload): only the store may keep B's edit.
    pool.destroyAll();
    await server.restart();
    const a = pool.connect('pending', { doc: offline });
    await a.synced();
    await waitFor(() => a.doc.getText('t').toString() === expected, { message: 'A sees B after syncing' });
    pool.destroyAll();
    await waitFor(() => server.server.registry.size === 0, { message: 'document unloaded' });

    const fresh = pool.connect('pending');
    await fresh.synced();
    expect(fresh.doc.getText('t').toString()).toBe(expected);
  });
});
