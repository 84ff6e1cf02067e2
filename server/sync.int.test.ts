import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { startTestServer, type TestServer } from './test-support/test-server.js';
import type { TestClient } from './test-support/test-client.js';
import { ClientPool, type ClientOptions } from './test-support/client-pool.js';
import { waitFor } from './test-support/wait-for.js';
import { seededRandom } from './test-support/seeded-random.js';
import type { DocumentStore } from './persistence/document-store.js';

function contentOf(doc: Y.Doc): string {
  // Map keys sorted: each replica iterates a Y.Map in its own insertion order.
  const map = Object.entries(doc.getMap('m').toJSON()).sort(([a], [b]) => a.localeCompare(b));
  return JSON.stringify({ text: doc.getText('t').toString(), map });
}

describe('sync relay', () => {
  let server: TestServer;
  const pool = new ClientPool(() => server.wsUrl);
  const client = (doc: string, options?: ClientOptions): TestClient => pool.connect(doc, options);

  beforeEach(async () => {
    server = await startTestServer();
  });

  afterEach(async () => {
    pool.destroyAll();
    await server.dispose();
  });

  it('relays an edit to every other client of the document and not to other documents', async () => {
    const [a, b, other] = [client('shared'), client('shared'), client('elsewhere')];
    await Promise.all([a.synced(), b.synced(), other.synced()]);
    a.doc.getText('t').insert(0, 'hello from a');
    await waitFor(() => b.doc.getText('t').toString() === 'hello from a', { message: 'b receives a' });
    expect(other.doc.getText('t').toString()).toBe('');
  });

  it('converges seeded random concurrent edits from many clients with disconnects and reconnects', async () => {
    for (const seed of [1, 7, 42]) {
      const random = seededRandom(seed);
      const doc = `random-${seed}`;
      const peers = Array.from({ length: 6 }, () => client(doc));
      await Promise.all(peers.map((p) => p.synced()));
      for (let round = 0; round < 60; round++) {
        for (const peer of peers) {
          const text = peer.doc.getText('t');
          const roll = random.next();
          if (roll < 0.55) text.insert(random.int(text.length + 1), random.pick(['a', 'bc', 'def', ' ', '\n', 'ü']));
          else if (roll < 0.75 && text.length > 0) {
            const at = random.int(text.length);
            text.delete(at, Math.min(1 + random.int(4), text.length - at));
          } else if (roll < 0.9) peer.doc.getMap('m').set(random.pick(['x', 'y', 'z']), random.int(1000));
          else if (peer.provider.wsconnected) peer.provider.disconnect();
          else peer.provider.connect();
        }
        // Let the network interleave with the next round of local edits.
        await new Promise((resolve) => setImmediate(resolve));
      }
      for (const peer of peers) if (!peer.provider.shouldConnect) peer.provider.connect();
      await waitFor(() => peers.every((p) => contentOf(p.doc) === contentOf(peers[0]!.doc)), {
        timeoutMs: 20_000,
        message: `seed ${seed}: all clients converge`,
      });
      expect(peers[0]!.doc.getText('t').length).toBeGreaterThan(20);
      const fresh = client(doc);
      await fresh.synced();
      expect(contentOf(fresh.doc)).toBe(contentOf(peers[0]!.doc));
    }
  });

  it('loads a document once for many simultaneous first connections and loses no update', async () => {
    await server.dispose();
    const loads = new Map<string, number>();
    server = await startTestServer([], {}, {
      wrapStore: (store: DocumentStore) => ({
        ...store,
        load: (name: string) => {
          loads.set(name, (loads.get(name) ?? 0) + 1);
          return store.load(name);
        },
        appendUpdates: store.appendUpdates.bind(store),
        compact: store.compact.bind(store),
        delete: store.delete.bind(store),
        list: store.list.bind(store),
        ping: store.ping.bind(store),
        close: store.close.bind(store),
      }),
    });
    const peers = Array.from({ length: 30 }, () => client('stampede'));
    // Every client edits before its connection is even open: the edits queue behind the load.
    peers.forEach((p, i) => p.doc.getMap('m').set(`k${i}`, i));
    await waitFor(() => peers.every((p) => p.doc.getMap('m').size === 30), { timeoutMs: 15_000, message: 'all 30 edits everywhere' });
    expect(loads.get('stampede')).toBe(1);
  });

  it('merges a returning client\'s offline edits into a freshly loaded document', async () => {
    const first = client('reloaded');
    await first.synced();
    first.doc.getText('t').insert(0, 'stored part. ');
    const offline = client('reloaded');
    await offline.synced();
    await waitFor(() => offline.doc.getText('t').length === 13, { message: 'offline client has the stored part' });
    offline.provider.disconnect();
    offline.doc.getText('t').insert(13, 'written offline.');
    first.destroy();
    await waitFor(() => server.server.registry.size === 0, { message: 'document unloaded' });
    await server.restart();
    // Connects to the restarted server: the cold document answers from its stored bytes first,
    // then asks the client for what it lacks.
    offline.provider.serverUrl = server.wsUrl;
    offline.provider.connect();
    const witness = client('reloaded');
    await waitFor(() => witness.doc.getText('t').toString() === 'stored part. written offline.', { message: 'offline edits reach others' });
  });

  it('never lets a client see "synced" before the stored content is there', async () => {
    const writer = client('preloaded');
    await writer.synced();
    writer.doc.getText('t').insert(0, 'x'.repeat(50_000));
    writer.destroy();
    await waitFor(() => server.server.registry.size === 0, { message: 'document unloaded' });
    await server.restart();
    const readers = Array.from({ length: 10 }, () => client('preloaded'));
    const seenAtSync: number[] = [];
    for (const reader of readers) {
      reader.provider.once('sync', () => seenAtSync.push(reader.doc.getText('t').length));
    }
    await waitFor(() => seenAtSync.length === readers.length, { message: 'all readers synced' });
    expect(seenAtSync).toEqual(readers.map(() => 50_000));
  });
});
