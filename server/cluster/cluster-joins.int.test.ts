/**
 * Joining a document that is live on another member: the joiner subscribes, loads from the store,
 * then exchanges state vectors with the members holding it, so it is never served stale content,
 * not even content the other member has not managed to store yet. Clients joining one document at
 * once on a member share one load.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { DocumentStore } from '../persistence/document-store.js';
import { startTestCluster, type TestCluster } from '../test-support/test-cluster.js';
import { connectClient, type TestClient } from '../test-support/test-client.js';
import { withGate, type GatedStore } from '../test-support/gated-store.js';
import { waitFor } from '../test-support/wait-for.js';

let cluster: TestCluster | null = null;
const clients: TestClient[] = [];
const releases: (() => void)[] = [];

afterEach(async () => {
  for (const release of releases.splice(0)) release();
  for (const client of clients.splice(0)) client.destroy();
  await cluster?.dispose();
  cluster = null;
});

function connect(memberIndex: number, doc: string, options: { saveAck?: boolean } = {}): TestClient {
  const client = connectClient(cluster!.members[memberIndex]!.wsUrl, doc, options);
  clients.push(client);
  return client;
}

/** The store with appends held until `release()`: what a member has acknowledged nothing of yet. */
function holdingAppends(inner: DocumentStore): { store: DocumentStore; release: () => void } {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const store = new Proxy(inner, {
    get(target, property) {
      if (property === 'appendUpdates') {
        return async (...args: Parameters<DocumentStore['appendUpdates']>) => {
          await released;
          return target.appendUpdates(...args);
        };
      }
      const value: unknown = Reflect.get(target, property);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { store, release };
}

describe('joining a document live on another member', () => {
  it('a client joining on a second member gets what the first member holds but has not stored yet', async () => {
    let hold: ReturnType<typeof holdingAppends> | null = null;
    cluster = await startTestCluster({
      members: 2,
      storeFor: (shared, index) => {
        if (index !== 0) return shared;
        hold = holdingAppends(shared);
        return hold.store;
      },
    });
    releases.push(() => hold!.release());
    const writer = connect(0, 'fresh-news', { saveAck: true });
    await writer.synced();
    // The handshake (an empty sync step 2) is acknowledged without a store write.
    await waitFor(() => writer.savedCount > 0, { message: 'the handshake is acknowledged' });
    const savedBeforeEdit = writer.savedCount;
    writer.doc.getText('t').insert(0, 'not stored yet');

    const joiner = connect(1, 'fresh-news');
    await joiner.synced();
    await waitFor(() => joiner.doc.getText('t').toString() === 'not stored yet', { message: 'the joiner has the unstored edit' });
    // It came from the first member: the store still has nothing of it, and nothing was acknowledged.
    expect((await cluster.store.load('fresh-news')).log).toHaveLength(0);
    expect(writer.savedCount).toBe(savedBeforeEdit);

    hold!.release();
    await waitFor(() => writer.savedCount > savedBeforeEdit, { message: 'the edit is acknowledged once the store takes it' });
  });

  it('twenty clients joining one document at once on a member share one load', async () => {
    let gated: GatedStore | null = null;
    cluster = await startTestCluster({
      members: 2,
      storeFor: (shared, index) => {
        if (index !== 1) return shared;
        gated = withGate(shared);
        return gated.store;
      },
    });
    const writer = connect(0, 'crowd');
    await writer.synced();
    writer.doc.getText('t').insert(0, 'hello crowd');

    const crowd = Array.from({ length: 20 }, () => connect(1, 'crowd'));
    await Promise.all(crowd.map((client) => client.synced()));
    await waitFor(() => crowd.every((client) => client.doc.getText('t').toString() === 'hello crowd'), { message: 'every joiner has the text' });
    expect(gated!.roomLoads('crowd')).toBe(1);
  });
});
