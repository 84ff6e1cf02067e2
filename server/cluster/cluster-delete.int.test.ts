/**
 * DELETE /api/docs/:name in a cluster: every member closes the document's connections and stops
 * writing it before the stored copy goes, so a member whose clients were typing cannot bring the
 * document back. Real servers in this process, the machine's Redis, stock WebsocketProvider clients.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { CloseCode } from '../../shared/protocol.js';
import { startTestCluster, type TestCluster } from '../test-support/test-cluster.js';
import { connectClient, type TestClient } from '../test-support/test-client.js';
import { waitFor } from '../test-support/wait-for.js';
import type { PubSub } from '../pubsub/pubsub.js';
import { PubSubError } from '../pubsub/pubsub-error.js';
import { tryDecodeClusterMessage } from './cluster-message.js';
import { MEMBERS_TOPIC } from './document-topic.js';

let cluster: TestCluster | null = null;
const clients: TestClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy();
  await cluster?.dispose();
  cluster = null;
});

function connect(memberIndex: number, doc: string): TestClient {
  const client = connectClient(cluster!.members[memberIndex]!.wsUrl, doc, { saveAck: true });
  clients.push(client);
  return client;
}

function closeCodes(client: TestClient): number[] {
  const codes: number[] = [];
  client.provider.on('connection-close', (event: CloseEvent | null) => codes.push(event?.code ?? 0));
  return codes;
}

function isDeleteBegin(payload: Uint8Array): boolean {
  const decoded = tryDecodeClusterMessage(payload);
  return decoded.ok && decoded.message.kind === 'delete-begin';
}

/** Drops the first `count` delete-begin messages delivered to this member (a lossy broker). */
function dropFirstDeleteBegins(inner: PubSub, count: number): PubSub & { readonly dropped: number } {
  let dropped = 0;
  return {
    get dropped() {
      return dropped;
    },
    get isHealthy() {
      return inner.isHealthy;
    },
    subscribe: (topic, handler) =>
      inner.subscribe(topic, (payload, delivered) => {
        if (delivered === MEMBERS_TOPIC && dropped < count && isDeleteBegin(payload)) {
          dropped++;
          return;
        }
        handler(payload, delivered);
      }),
    publish: (topic, payload) => inner.publish(topic, payload),
    onReconnect: (listener) => inner.onReconnect(listener),
    close: () => inner.close(),
  };
}

function refuseDeleteBegins(inner: PubSub): PubSub {
  return {
    get isHealthy() {
      return inner.isHealthy;
    },
    subscribe: (topic, handler) => inner.subscribe(topic, handler),
    publish: (topic, payload) =>
      topic === MEMBERS_TOPIC && isDeleteBegin(payload)
        ? Promise.reject(new PubSubError('unavailable', 'test: the broker refuses delete-begin'))
        : inner.publish(topic, payload),
    onReconnect: (listener) => inner.onReconnect(listener),
    close: () => inner.close(),
  };
}

async function storedText(running: TestCluster, name: string): Promise<string> {
  const stored = await running.store.load(name);
  const doc = new Y.Doc();
  for (const update of stored.snapshot ? [stored.snapshot, ...stored.log] : stored.log) Y.applyUpdate(doc, update);
  return doc.getText('t').toString();
}

describe('DELETE in a cluster', () => {
  it("closes the document's connections on every member with 4404, and a member whose client typed until the close writes nothing back", async () => {
    cluster = await startTestCluster({ members: 2 });
    const [here, there] = [connect(0, 'doomed'), connect(1, 'doomed')];
    await Promise.all([here.synced(), there.synced()]);
    here.doc.getText('t').insert(0, 'secret');
    await waitFor(() => there.doc.getText('t').toString() === 'secret', { message: 'the edit crossing members' });
    const codes = [closeCodes(here), closeCodes(there)];
    // The client on the other member keeps typing until its socket is closed.
    let typed = 0;
    const typing = setInterval(() => {
      if (there.provider.wsconnected) there.doc.getText('t').insert(0, `k${typed++}`);
    }, 2);
    try {
      const response = await fetch(`${cluster.members[0]!.url}/api/docs/doomed`, { method: 'DELETE' });
      expect(response.status).toBe(204);
      await waitFor(() => codes.every((list) => list.length > 0), { message: 'both sockets closed' });
    } finally {
      clearInterval(typing);
    }
    expect(codes).toEqual([[CloseCode.documentDeleted], [CloseCode.documentDeleted]]);
    expect(typed).toBeGreaterThan(0);
    expect(cluster.members.map((member) => member.server.registry.peekLoaded('doomed'))).toEqual([null, null]);
    const stored = await cluster.store.load('doomed');
    expect({ snapshot: stored.snapshot, log: stored.log.length }).toEqual({ snapshot: null, log: 0 });

    // Fresh clients on both members see an empty document, and what they write is all there is.
    const fresh = [connect(1, 'doomed'), connect(0, 'doomed')];
    await Promise.all(fresh.map((client) => client.synced()));
    expect(fresh.map((client) => client.doc.getText('t').toString())).toEqual(['', '']);
    fresh[0]!.doc.getText('t').insert(0, 'new');
    await waitFor(() => fresh[1]!.doc.getText('t').toString() === 'new', { message: 'the new edit crossing members' });
    const sent = fresh[0]!.sentUpdateMessages;
    await waitFor(() => fresh[0]!.savedCount >= sent, { message: 'the new edit saved' });
    expect(await storedText(cluster, 'doomed')).toBe('new');
  });

  it('a delete-begin the broker lost is repeated until the member holding the document has closed it', async () => {
    let lossy: (PubSub & { readonly dropped: number }) | null = null;
    cluster = await startTestCluster({
      members: 2,
      wrapPubSub: (pubsub, index) => (index === 1 ? (lossy = dropFirstDeleteBegins(pubsub, 2)) : pubsub),
    });
    const there = connect(1, 'lost');
    await there.synced();
    there.doc.getText('t').insert(0, 'old');
    const sent = there.sentUpdateMessages;
    await waitFor(() => there.savedCount >= sent, { message: 'the edit saved' });
    const codes = closeCodes(there);
    const response = await fetch(`${cluster.members[0]!.url}/api/docs/lost`, { method: 'DELETE' });
    expect(response.status).toBe(204);
    expect(lossy!.dropped).toBe(2);
    // The answer came only after member 1 closed its room: its socket is closed by then.
    await waitFor(() => codes.length > 0, { message: 'the socket on member 1 closed' });
    expect(codes).toEqual([CloseCode.documentDeleted]);
    const stored = await cluster.store.load('lost');
    expect(stored.log.length + (stored.snapshot ? 1 : 0)).toBe(0);
  });

  it('a member that never confirms is passed over after the ack timeout, with a warning naming it, and the stored copy is deleted', async () => {
    cluster = await startTestCluster({
      members: 2,
      clusterTuning: { deletes: { ackTimeoutMs: 300, repeatMs: 100 } },
      wrapPubSub: (pubsub, index) => (index === 1 ? dropFirstDeleteBegins(pubsub, Number.POSITIVE_INFINITY) : pubsub),
    });
    const here = connect(0, 'silent');
    await here.synced();
    here.doc.getText('t').insert(0, 'old');
    const sent = here.sentUpdateMessages;
    await waitFor(() => here.savedCount >= sent, { message: 'the edit saved' });
    const started = Date.now();
    const response = await fetch(`${cluster.members[0]!.url}/api/docs/silent`, { method: 'DELETE' });
    expect(response.status).toBe(204);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    const silentMember = cluster.members[1]!.server.cluster!.member.id;
    expect(cluster.members[0]!.logs.some((line) => /did not confirm/.test(String(line.msg)) && JSON.stringify(line).includes(silentMember))).toBe(true);
    const stored = await cluster.store.load('silent');
    expect(stored.log.length + (stored.snapshot ? 1 : 0)).toBe(0);
  });

  it('when the broker does not take the delete, nothing is deleted anywhere: 503 cluster-unavailable', async () => {
    cluster = await startTestCluster({ members: 2, wrapPubSub: (pubsub, index) => (index === 0 ? refuseDeleteBegins(pubsub) : pubsub) });
    const there = connect(1, 'kept');
    await there.synced();
    there.doc.getText('t').insert(0, 'keep me');
    const sent = there.sentUpdateMessages;
    await waitFor(() => there.savedCount >= sent, { message: 'the edit saved' });
    const response = await fetch(`${cluster.members[0]!.url}/api/docs/kept`, { method: 'DELETE' });
    expect(response.status).toBe(503);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('cluster-unavailable');
    expect(there.provider.wsconnected).toBe(true);
    expect(cluster.members[1]!.server.registry.peekLoaded('kept')).not.toBeNull();
    expect(await storedText(cluster, 'kept')).toBe('keep me');
  });
});
