/**
 * What each member does and does not do for the others: capacity (no traffic for documents it
 * holds no clients of), cursors of members that die or leave, revocations, and isolation of a
 * flooded document. Real servers in this process, the machine's Redis, stock WebsocketProvider
 * clients.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { Redis } from 'ioredis';
import { startTestCluster, type TestCluster } from '../test-support/test-cluster.js';
import { connectClient, type TestClient } from '../test-support/test-client.js';
import { rawSocket, SECRET, token } from '../test-support/auth-fixtures.js';
import { machineRedisUrl } from '../test-support/machine-redis.js';
import { waitFor } from '../test-support/wait-for.js';
import { channelForTopic } from '../pubsub/topic-channel.js';
import { createMemberId, encodeClusterMessage } from './cluster-message.js';
import { documentTopic } from './document-topic.js';

let cluster: TestCluster | null = null;
const clients: TestClient[] = [];
const cleanups: (() => unknown)[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy();
  for (const cleanup of cleanups.splice(0)) await cleanup();
  await cluster?.dispose();
  cluster = null;
});

function connect(memberIndex: number, doc: string): TestClient {
  const client = connectClient(cluster!.members[memberIndex]!.wsUrl, doc);
  clients.push(client);
  return client;
}

function delivered(memberIndex: number, doc: string): number {
  return cluster!.members[memberIndex]!.pubsub.deliveredByTopic.get(documentTopic(doc)) ?? 0;
}

function cursorOf(client: TestClient, clientId: number): unknown {
  return client.provider.awareness.getStates().get(clientId);
}

describe('cluster members', () => {
  it('a member with no clients of a document receives none of its traffic, and stops receiving it once its last client left', async () => {
    cluster = await startTestCluster({ members: 2 });
    const [a, b] = [connect(0, 'solo'), connect(0, 'solo')];
    await Promise.all([a.synced(), b.synced()]);
    // A canary edit published after the others: once member 1 has it, it had the others too.
    const canaryWriter = connect(0, 'canary');
    const canaryReader = connect(1, 'canary');
    await Promise.all([canaryWriter.synced(), canaryReader.synced()]);
    const canary = async (value: string): Promise<void> => {
      canaryWriter.doc.getText('t').insert(0, value);
      await waitFor(() => canaryReader.doc.getText('t').toString().startsWith(value), { message: `canary ${value}` });
    };

    for (let i = 0; i < 50; i++) a.doc.getText('t').insert(0, 'x');
    await waitFor(() => b.doc.getText('t').length === 50, { message: 'the edits on member 0' });
    await canary('one');
    expect(delivered(1, 'solo')).toBe(0);
    expect(cluster.members[1]!.server.cluster!.member.documents).not.toContain('solo');

    const visitor = connect(1, 'solo');
    await visitor.synced();
    expect(visitor.doc.getText('t').length).toBe(50);
    a.doc.getText('t').insert(0, 'y');
    await waitFor(() => visitor.doc.getText('t').length === 51, { message: 'an edit reaching the visitor' });
    expect(delivered(1, 'solo')).toBeGreaterThan(0);

    visitor.destroy();
    await waitFor(() => !cluster!.members[1]!.server.cluster!.member.documents.includes('solo'), { message: 'member 1 unloading solo' });
    const before = delivered(1, 'solo');
    for (let i = 0; i < 50; i++) a.doc.getText('t').insert(0, 'z');
    await canary('two');
    expect(delivered(1, 'solo')).toBe(before);
  });

  it("a member that dies without leaving has its clients' cursors removed from the others within memberTimeout + heartbeat; one that stops, at once", async () => {
    cluster = await startTestCluster({ members: 3 });
    const watcher = connect(0, 'cursors');
    const doomed = connect(1, 'cursors');
    const leaving = connect(2, 'cursors');
    await Promise.all([watcher.synced(), doomed.synced(), leaving.synced()]);
    doomed.provider.awareness.setLocalStateField('user', { name: 'doomed' });
    leaving.provider.awareness.setLocalStateField('user', { name: 'leaving' });
    await waitFor(() => cursorOf(watcher, doomed.doc.clientID) !== undefined && cursorOf(watcher, leaving.doc.clientID) !== undefined, {
      message: 'both cursors on member 0',
    });

    // Member 1 loses the bus for good: no leave, no more heartbeats (a crash, as far as the others can tell).
    const diedAt = performance.now();
    await cluster.members[1]!.pubsub.close();
    await waitFor(() => cursorOf(watcher, doomed.doc.clientID) === undefined, { timeoutMs: 10_000, message: 'the dead member’s cursor removed' });
    const removedAfter = performance.now() - diedAt;
    console.log(`dead member's cursor removed after ${removedAfter.toFixed(0)} ms (bound: memberTimeoutMs 5000 + heartbeatMs 1000)`);
    expect(removedAfter).toBeLessThan(5_000 + 1_000 + 500);

    const stoppedAt = performance.now();
    await cluster.members[2]!.stop();
    await waitFor(() => cursorOf(watcher, leaving.doc.clientID) === undefined, { timeoutMs: 2_000, message: 'the leaving member’s cursor removed' });
    console.log(`stopped member's cursor removed ${(performance.now() - stoppedAt).toFixed(0)} ms after its stop began`);
  });

  it('a revocation posted to one member closes the matching connection on another member', async () => {
    cluster = await startTestCluster({ members: 2, env: { TANDEM_AUTH_SECRET: SECRET } });
    const alice = await token({ sub: 'alice', docs: ['plan:write'] });
    const bob = await token({ sub: 'bob', docs: ['plan:write'] });
    const admin = await token({ sub: 'root', docs: [], admin: true });
    const aliceSocket = rawSocket(cluster.members[1]!.wsUrl, `/plan?token=${alice}`);
    const bobSocket = rawSocket(cluster.members[1]!.wsUrl, `/plan?token=${bob}`);
    cleanups.push(() => aliceSocket.ws.terminate(), () => bobSocket.ws.terminate());
    await Promise.all([aliceSocket.opened, bobSocket.opened]);

    const response = await fetch(`${cluster.members[0]!.url}/api/admin/revoke`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ sub: 'alice' }),
    });
    expect(response.status).toBe(200);
    expect(await aliceSocket.closed).toBe(4409);
    expect(bobSocket.ws.readyState).toBe(bobSocket.ws.OPEN);
  });

  it('a flood in one document does not stall delivery in another document on the same member', async () => {
    cluster = await startTestCluster({ members: 2 });
    // Member 1 holds the flooded document through a lease: its traffic reaches member 1 only.
    const lease = await cluster.members[1]!.server.registry.open('flood');
    cleanups.push(() => lease.release());
    const writer = connect(0, 'quiet');
    const reader = connect(1, 'quiet');
    await Promise.all([writer.synced(), reader.synced()]);

    // The flood: thousands of updates of many small inserts each (costly to integrate), from a
    // made-up member, published straight into Redis by a connection of the test's own.
    const source = new Y.Doc();
    const updates: Uint8Array[] = [];
    source.on('update', (update: Uint8Array) => updates.push(update));
    let seed = 1;
    for (let i = 0; i < 1_000; i++) {
      source.transact(() => {
        const text = source.getText('t');
        for (let k = 0; k < 50; k++) {
          seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
          text.insert(seed % (text.length + 1), 'ab');
        }
      });
    }
    const expectedLength = source.getText('t').length;
    const flooder = createMemberId();
    const channel = channelForTopic(cluster.keyPrefix, documentTopic('flood'));
    const publisher = new Redis(machineRedisUrl());
    cleanups.push(() => publisher.disconnect());

    const sentAt = new Map<number, number>();
    const delays: number[] = [];
    reader.doc.getMap('m').observe((event) => {
      for (const key of event.keysChanged) delays.push(performance.now() - sentAt.get(Number(key))!);
    });
    const floodStart = performance.now();
    const pipeline = publisher.pipeline();
    updates.forEach((update, seq) => pipeline.publish(channel, Buffer.from(encodeClusterMessage({ kind: 'update', sender: flooder, seq, update }))));
    void pipeline.exec();
    let quietEdits = 0;
    const ticker = setInterval(() => {
      sentAt.set(quietEdits, performance.now());
      writer.doc.getMap('m').set(String(quietEdits++), 1);
    }, 10);
    cleanups.push(() => clearInterval(ticker));
    await waitFor(() => lease.doc.getText('t').length === expectedLength, { timeoutMs: 60_000, message: 'the flood applied on member 1' });
    const floodMs = performance.now() - floodStart;
    clearInterval(ticker);
    await waitFor(() => delays.length === quietEdits, { message: 'every quiet edit delivered' });
    const worst = Math.max(...delays);
    console.log(
      `flood of ${updates.length} updates (${(updates.reduce((n, u) => n + u.length, 0) / 1e6).toFixed(1)} MB) took ${floodMs.toFixed(0)} ms to apply; ` +
        `quiet document meanwhile: ${delays.length} edits, delay p50 ${[...delays].sort((x, y) => x - y)[delays.length >> 1]!.toFixed(1)} ms, worst ${worst.toFixed(1)} ms (edit ${delays.indexOf(worst)})`,
    );
    expect(floodMs).toBeGreaterThan(500);
    expect(worst).toBeLessThan(floodMs / 5);
  }, 60_000);
});
