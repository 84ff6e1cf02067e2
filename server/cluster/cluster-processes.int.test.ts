/**
 * Cluster mode end to end: `tandem serve --database-url … --redis-url …` member processes, stock
 * WebsocketProvider clients spread over them, and the faults the README's guarantees cover —
 * a member killed with SIGKILL, Redis restarted, PostgreSQL stopped. Fault tests own their engine
 * (a private redis-server / PostgreSQL on a free port); the others use the machine's, each with a
 * schema and key prefix of its own. Every check is on content after real round trips, with every
 * client's state thrown away first where durability is the question.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { startClusterProcesses, type ClusterProcesses } from '../test-support/cluster-processes.js';
import { connectClient, type TestClient } from '../test-support/test-client.js';
import { AckedWriter } from '../test-support/acked-writer.js';
import { machineRedisUrl } from '../test-support/machine-redis.js';
import { machineDatabaseUrl } from '../test-support/postgres-test-schema.js';
import { startPrivateRedis, type PrivateRedis } from '../test-support/private-redis.js';
import { startPrivatePostgres, type PrivatePostgres } from '../test-support/private-postgres.js';
import { seededRandom } from '../test-support/seeded-random.js';
import { waitFor } from '../test-support/wait-for.js';

const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function cluster(options: Parameters<typeof startClusterProcesses>[0]): Promise<ClusterProcesses> {
  const started = await startClusterProcesses(options);
  cleanups.push(() => started.dispose());
  return started;
}

function client(wsUrl: string, docName: string, doc?: Y.Doc): TestClient {
  const connected = connectClient(wsUrl, docName, doc ? { doc } : {});
  cleanups.push(() => connected.destroy());
  return connected;
}

/** A fresh client (no state of its own) on `wsUrl`, synced, with the document's items. */
async function readItems(wsUrl: string, docName: string): Promise<string[]> {
  const reader = connectClient(wsUrl, docName);
  try {
    await reader.synced();
    return reader.doc.getArray<string>('items').toArray();
  } finally {
    reader.destroy();
  }
}

async function expectAllPresent(wsUrl: string, docName: string, expected: string[], message: string): Promise<void> {
  let missing: string[] = expected;
  await waitFor(
    async () => {
      const present = new Set(await readItems(wsUrl, docName));
      missing = expected.filter((item) => !present.has(item));
      return missing.length === 0;
    },
    { timeoutMs: 20_000, intervalMs: 250, message: `${message}: ${missing.length} missing, e.g. ${missing.slice(0, 5).join(', ')}` },
  );
}

describe('cluster members as processes sharing PostgreSQL and Redis', () => {
  it('converges three members under seeded random edits and disconnects from clients spread over them; a fresh client on any member reads the same text', async () => {
    const members = await cluster({ count: 3, databaseUrl: machineDatabaseUrl(), redisUrl: machineRedisUrl() });
    const random = seededRandom(20261202);
    const docNames = ['plan', 'notes'];
    // Two editors per member and document, each a long-lived Y.Doc that may hop between members.
    const editors = docNames.flatMap((docName) =>
      members.members.flatMap((member) => [0, 1].map(() => ({ docName, doc: new Y.Doc(), client: null as TestClient | null, url: member.wsUrl }))),
    );
    for (const editor of editors) editor.client = client(editor.url, editor.docName, editor.doc);
    await Promise.all(editors.map((editor) => editor.client!.synced()));

    for (let step = 0; step < 400; step++) {
      const editor = random.pick(editors);
      const text = editor.doc.getText('text');
      if (random.next() < 0.06) {
        // Disconnect, and come back on a random member (clients need no sticky sessions).
        editor.client!.provider.destroy();
        editor.url = random.pick(members.members).wsUrl;
        editor.client = client(editor.url, editor.docName, editor.doc);
      } else if (text.length > 0 && random.next() < 0.3) {
        const at = random.int(text.length);
        text.delete(at, Math.min(1 + random.int(3), text.length - at));
      } else {
        text.insert(random.int(text.length + 1), `${step}:${random.int(1000)} `);
      }
      if (step % 25 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    }

    for (const docName of docNames) {
      const group = editors.filter((editor) => editor.docName === docName);
      await waitFor(
        () => group.every((editor) => editor.client!.provider.synced && editor.doc.getText('text').toString() === group[0]!.doc.getText('text').toString()),
        { timeoutMs: 20_000, intervalMs: 50, message: `editors of ${docName} converged` },
      );
      const expected = group[0]!.doc.getText('text').toString();
      expect(expected.length).toBeGreaterThan(100);
      for (const member of members.members) {
        const fresh = connectClient(member.wsUrl, docName);
        try {
          await fresh.synced();
          await waitFor(() => fresh.doc.getText('text').toString() === expected, { message: `fresh client on ${member.url} has ${docName}` });
        } finally {
          fresh.destroy();
        }
      }
    }
  }, 90_000);

  it('loses no acknowledged edit when a member is SIGKILLed mid-editing; its clients carry on through another member', async () => {
    const members = await cluster({ count: 3, databaseUrl: machineDatabaseUrl(), redisUrl: machineRedisUrl(), extraArgs: ['--compact-log-entries', '40'] });
    const writers = [0, 1, 2, 0, 1, 2].map((m, i) => new AckedWriter(members.members[m]!.wsUrl, 'kill-test', `w${i}`));
    cleanups.push(() => writers.forEach((writer) => writer.destroy()));
    await Promise.all(writers.map((writer) => writer.client.synced()));

    const writeUntil = async (condition: () => boolean): Promise<void> => {
      for (let round = 0; !condition(); round++) {
        for (const writer of writers) writer.push();
        if (round > 20_000) throw new Error('acknowledgements did not arrive');
        await new Promise((resolve) => setImmediate(resolve));
      }
    };
    await writeUntil(() => writers[0]!.acked().length >= 150);
    // Kill member 0 with edits in flight; its clients move to member 1 as a load balancer would send them.
    for (let burst = 0; burst < 30; burst++) for (const writer of writers) writer.push();
    const ackedBeforeKill = writers.flatMap((writer) => writer.acked());
    await members.kill(0);
    for (const writer of [writers[0]!, writers[3]!]) writer.moveTo(members.members[1]!.wsUrl);
    const total = writers[0]!.written.length;
    await writeUntil(() => writers[0]!.acked().length >= total + 100);

    const acked = writers.flatMap((writer) => writer.acked());
    expect(acked.length).toBeGreaterThan(ackedBeforeKill.length);
    for (const writer of writers) writer.destroy();
    // Every acknowledged item, the ones acked by the killed member included, is on both survivors.
    await expectAllPresent(members.members[2]!.wsUrl, 'kill-test', acked, 'acked items on member 2');
    await expectAllPresent(members.members[1]!.wsUrl, 'kill-test', acked, 'acked items on member 1');
  }, 120_000);

  it('re-synchronises every open document after a Redis restart, and /readyz answers 503 while Redis is down', async () => {
    const redis: PrivateRedis = await startPrivateRedis();
    cleanups.push(() => redis.dispose());
    const members = await cluster({ count: 2, databaseUrl: machineDatabaseUrl(), redisUrl: redis.url });
    const docNames = ['a', 'b', 'c'];
    const pairs = docNames.map((docName) => ({ docName, left: client(members.members[0]!.wsUrl, docName), right: client(members.members[1]!.wsUrl, docName) }));
    await Promise.all(pairs.flatMap(({ left, right }) => [left.synced(), right.synced()]));
    for (const { left } of pairs) left.doc.getArray<string>('items').push(['before']);
    await waitFor(() => pairs.every(({ right }) => right.doc.getArray('items').length === 1), { message: 'edits crossed members' });

    await redis.stop({ hard: true });
    await waitFor(async () => (await members.readyStatus(0)) === 503, { timeoutMs: 10_000, intervalMs: 100, message: 'member 0 not ready without Redis' });
    // Edits during the outage stay on their member until Redis is back (both stored in PostgreSQL).
    for (const { left, right } of pairs) {
      left.doc.getArray<string>('items').push(['left-during-outage']);
      right.doc.getArray<string>('items').push(['right-during-outage']);
    }
    await redis.start();
    await members.waitReady(0);
    await members.waitReady(1);
    for (const { left } of pairs) left.doc.getArray<string>('items').push(['after']);

    for (const { docName, left, right } of pairs) {
      const expected = ['before', 'left-during-outage', 'right-during-outage', 'after'].sort();
      await waitFor(
        () =>
          JSON.stringify(left.doc.getArray<string>('items').toArray().sort()) === JSON.stringify(expected) &&
          JSON.stringify(right.doc.getArray<string>('items').toArray().sort()) === JSON.stringify(expected),
        { timeoutMs: 20_000, message: `${docName} converged after the Redis restart` },
      );
    }
  }, 90_000);

  it('holds acknowledgements while PostgreSQL is stopped, answers 503 on /readyz, and stores everything once it is back', async () => {
    const postgres: PrivatePostgres = await startPrivatePostgres();
    cleanups.push(() => postgres.dispose());
    const members = await cluster({ count: 2, databaseUrl: postgres.url, redisUrl: machineRedisUrl() });
    const writers = [new AckedWriter(members.members[0]!.wsUrl, 'pg-down', 'a'), new AckedWriter(members.members[1]!.wsUrl, 'pg-down', 'b')];
    cleanups.push(() => writers.forEach((writer) => writer.destroy()));
    await Promise.all(writers.map((writer) => writer.client.synced()));
    for (let i = 0; i < 20; i++) for (const writer of writers) writer.push();
    await waitFor(() => writers.every((writer) => writer.acked().length === 20), { message: 'acks before the outage' });

    await postgres.stop({ mode: 'fast' });
    await waitFor(async () => (await members.readyStatus(0)) === 503, { timeoutMs: 10_000, intervalMs: 100, message: 'member 0 not ready without PostgreSQL' });
    for (let i = 0; i < 20; i++) for (const writer of writers) writer.push();
    // Edits still cross members live, but nothing is acknowledged while it cannot be stored.
    await waitFor(() => writers.every((writer) => writer.doc.getArray('items').length === 80), { message: 'live edits crossed members' });
    expect(writers.map((writer) => writer.acked().length)).toEqual([20, 20]);

    await postgres.start();
    await members.waitReady(0, 30_000);
    await waitFor(() => writers.every((writer) => writer.acked().length === 40), { timeoutMs: 30_000, message: 'acks after PostgreSQL came back' });
    const written = writers.flatMap((writer) => writer.written);
    for (const writer of writers) writer.destroy();
    // Restart both members: what they serve now comes from PostgreSQL alone.
    await members.restart(0);
    await members.restart(1);
    await expectAllPresent(members.members[0]!.wsUrl, 'pg-down', written, 'everything stored after the outage');
  }, 120_000);
});
