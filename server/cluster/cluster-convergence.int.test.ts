/**
 * Cluster members share documents live: real servers in this process, each with its own Redis
 * connection (the machine's Redis, or a private one for the restart), one shared store, and stock
 * WebsocketProvider clients spread over the members.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startTestCluster, type TestCluster } from '../test-support/test-cluster.js';
import { connectClient, type TestClient } from '../test-support/test-client.js';
import { startPrivateRedis, type PrivateRedis } from '../test-support/private-redis.js';
import { seededRandom, type SeededRandom } from '../test-support/seeded-random.js';
import { waitFor } from '../test-support/wait-for.js';

let cluster: TestCluster | null = null;
let redis: PrivateRedis | null = null;
const clients: TestClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy();
  await cluster?.dispose();
  cluster = null;
  await redis?.dispose();
  redis = null;
});

function connect(memberIndex: number, doc: string): TestClient {
  const client = connectClient(cluster!.members[memberIndex]!.wsUrl, doc);
  clients.push(client);
  return client;
}

function text(client: TestClient): string {
  return client.doc.getText('t').toString();
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

/** A random insert or delete on the client's text (more inserts, so the text grows). */
function randomEdit(random: SeededRandom, client: TestClient, label: string): void {
  const ytext = client.doc.getText('t');
  if (ytext.length > 0 && random.next() < 0.3) {
    const at = random.int(ytext.length);
    ytext.delete(at, Math.min(1 + random.int(3), ytext.length - at));
  } else {
    ytext.insert(random.int(ytext.length + 1), `${label}${random.int(100)} `);
  }
}

async function allEqual(group: TestClient[], timeoutMs: number, message: string): Promise<void> {
  await waitFor(() => group.every((client) => text(client) === text(group[0]!)), { timeoutMs, message, intervalMs: 5 });
}

describe('cluster convergence', () => {
  it('edits and cursors made on one member reach clients of the same document on another member', async () => {
    cluster = await startTestCluster({ members: 2 });
    const writer = connect(0, 'shared');
    const reader = connect(1, 'shared');
    await Promise.all([writer.synced(), reader.synced()]);

    const delays: number[] = [];
    for (let i = 0; i < 200; i++) {
      const started = performance.now();
      writer.doc.getText('t').insert(0, 'x');
      await waitFor(() => text(reader).length === i + 1, { intervalMs: 0, message: `edit ${i} on the other member` });
      delays.push(performance.now() - started);
    }
    const p50 = percentile(delays, 0.5);
    const max = Math.max(...delays);
    console.log(`cross-member delivery of one edit: p50 ${p50.toFixed(2)} ms, p99 ${percentile(delays, 0.99).toFixed(2)} ms, max ${max.toFixed(2)} ms`);
    expect(p50).toBeLessThan(50);

    writer.provider.awareness.setLocalStateField('user', { name: 'writer' });
    const writerId = writer.doc.clientID;
    await waitFor(() => (reader.provider.awareness.getStates().get(writerId) as { user?: { name: string } } | undefined)?.user?.name === 'writer', {
      message: 'the cursor on the other member',
    });
    writer.provider.disconnect();
    await waitFor(() => !reader.provider.awareness.getStates().has(writerId), { message: 'the cursor removed on the other member' });
  });

  it('seeded random edits from clients spread over three members converge, and a fresh client on any member gets the same text', async () => {
    cluster = await startTestCluster({ members: 3 });
    const random = seededRandom(1234);
    const editors = Array.from({ length: 6 }, (_, i) => connect(i % 3, 'random'));
    await Promise.all(editors.map((client) => client.synced()));
    for (let round = 0; round < 300; round++) {
      const editor = random.pick(editors);
      if (random.next() < 0.02 && editor.provider.wsconnected) editor.provider.disconnect();
      else if (!editor.provider.shouldConnect) editor.provider.connect();
      randomEdit(random, editor, String.fromCharCode(97 + editors.indexOf(editor)));
      if (round % 10 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    for (const editor of editors) if (!editor.provider.shouldConnect) editor.provider.connect();
    await allEqual(editors, 15_000, 'every editor on the same text');
    expect(text(editors[0]!).length).toBeGreaterThan(100);
    const fresh = [0, 1, 2].map((member) => connect(member, 'random'));
    await Promise.all(fresh.map((client) => client.synced()));
    for (const client of fresh) expect(text(client)).toBe(text(editors[0]!));
  });

  it('with every member losing 20% of what the bus delivers, seeded edits on three members still converge', async () => {
    cluster = await startTestCluster({ members: 3, dropRate: 0.2, seed: 99 });
    const random = seededRandom(4321);
    const editors = Array.from({ length: 6 }, (_, i) => connect(i % 3, 'lossy'));
    await Promise.all(editors.map((client) => client.synced()));
    for (let round = 0; round < 400; round++) {
      randomEdit(random, random.pick(editors), String.fromCharCode(97 + (round % 6)));
      // Spread over time, so messages go out one by one (and one by one get lost).
      if (round % 4 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    }
    const lastEdit = performance.now();
    await allEqual(editors, 20_000, 'every editor on the same text despite the losses');
    const convergedAfter = performance.now() - lastEdit;
    const dropped = cluster.members.reduce((sum, member) => sum + member.lossy.dropped, 0);
    const delivered = cluster.members.reduce((sum, member) => sum + member.lossy.delivered, 0);
    console.log(`20% loss: ${dropped} of ${dropped + delivered} deliveries dropped; converged ${convergedAfter.toFixed(0)} ms after the last edit`);
    expect(dropped).toBeGreaterThan(50);
  });

  it('after a Redis restart every open document resynchronises, with no further edits to prompt it', async () => {
    redis = await startPrivateRedis();
    // Without tail heartbeats, which would otherwise reveal the lost messages: only the reconnect can.
    cluster = await startTestCluster({ members: 2, redisUrl: redis.url, clusterTuning: { tailDelaysMs: [] } });
    const docs = ['one', 'two', 'three'];
    const pairs = docs.map((doc) => [connect(0, doc), connect(1, doc)] as const);
    await Promise.all(pairs.flat().map((client) => client.synced()));
    pairs[0]![0].doc.getText('t').insert(0, 'before ');
    await allEqual([...pairs[0]!], 5_000, 'an edit before the restart');

    await redis.stop({ hard: true });
    await waitFor(() => cluster!.members.every((member) => !member.server.cluster!.isHealthy()), { message: 'members notice Redis is gone' });
    const readyz = await fetch(`${cluster.members[0]!.url}/readyz`);
    expect(readyz.status).toBe(503);
    // Both sides edit every document while the bus is down: those messages are lost for good.
    for (const [left, right] of pairs) {
      left.doc.getText('t').insert(0, 'left ');
      right.doc.getText('t').insert(0, 'right ');
    }
    await redis.start();
    const restartedAt = performance.now();
    // Well before the clients' 15 s awareness renewals, whose seq jump would also reveal the loss.
    for (const pair of pairs) await allEqual([...pair], 8_000, 'the document resynchronised after the restart');
    console.log(`Redis restart: every document converged ${(performance.now() - restartedAt).toFixed(0)} ms after Redis was back`);
    for (const [left] of pairs) expect(text(left)).toMatch(/left/);
    for (const [, right] of pairs) expect(text(right)).toMatch(/left.*right|right.*left/);
    expect((await fetch(`${cluster.members[0]!.url}/readyz`)).status).toBe(200);
  });
});
