/** Cluster start-up from the configuration: Redis channels under `<redisKeyPrefix>ps:`, the eviction warning. */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { parseServeConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { RevocationList } from '../auth/revocation-list.js';
import { createLeveldbStore } from '../persistence/leveldb-store.js';
import type { DocumentStore } from '../persistence/document-store.js';
import { startPrivateRedis, type PrivateRedis } from '../test-support/private-redis.js';
import { testKeyPrefix } from '../test-support/machine-redis.js';
import type { LogLine } from '../test-support/test-server.js';
import { startClusterMember, type ClusterWiring } from './start-cluster-member.js';
import { channelForTopic } from '../pubsub/topic-channel.js';
import { MEMBERS_TOPIC } from './document-topic.js';
import { waitFor } from '../test-support/wait-for.js';

let redis: PrivateRedis | null = null;
let wiring: ClusterWiring | null = null;
let store: DocumentStore | null = null;
let dir: string | null = null;

afterEach(async () => {
  await wiring?.close();
  wiring = null;
  await store?.close();
  store = null;
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = null;
  await redis?.dispose();
  redis = null;
});

async function start(flags: string[]): Promise<{ wiring: ClusterWiring | null; logs: LogLine[] }> {
  dir = await mkdtemp(path.join(tmpdir(), 'tandem-cluster-start-'));
  store = await createLeveldbStore({ directory: dir, fsync: false });
  const config = parseServeConfig(['--data-dir', dir, ...flags], {});
  const logs: LogLine[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') logs.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  wiring = await startClusterMember({ config, store, logger: createLogger('info', sink), revocations: await RevocationList.open(null) });
  return { wiring, logs };
}

describe('startClusterMember', () => {
  it('returns null for a process without --redis-url', async () => {
    expect((await start([])).wiring).toBeNull();
  });

  it("subscribes under <redisKeyPrefix>ps:, warns at start when Redis may evict keys, and reports Redis' health", async () => {
    redis = await startPrivateRedis({ extraArgs: ['--maxmemory-policy', 'allkeys-lru'] });
    const prefix = testKeyPrefix('start');
    const { wiring: started, logs } = await start(['--database-url', 'postgres://127.0.0.1/test', '--redis-url', redis.url, '--redis-key-prefix', prefix]);
    expect(logs.some((line) => line.level === 40 && /maxmemory-policy is allkeys-lru/.test(line.msg))).toBe(true);
    const probe = new Redis(redis.url);
    try {
      expect(await probe.pubsub('CHANNELS', `${prefix}ps:*`)).toEqual([channelForTopic(`${prefix}ps:`, MEMBERS_TOPIC)]);
    } finally {
      probe.disconnect();
    }
    await expect(started!.readinessCheck.check()).resolves.toBeUndefined();
    await redis.stop({ hard: true });
    await waitFor(() => started!.readinessCheck.check().then(() => false, (error: Error) => /pub\/sub/.test(error.message)), {
      message: 'the readiness check failing once Redis is gone',
    });
  });
});
