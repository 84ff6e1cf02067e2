/**
 * Several real Tandem servers in this process forming one cluster: each member on port 0 with its
 * own PubSub connection (the machine's Redis under a test key prefix, or a given Redis such as a
 * private one), all sharing one LevelDB store in a temp folder, as members share PostgreSQL; or,
 * with `database`, each member with its own connections to a PostgreSQL schema, as in production
 * (revocations are then shared through PostgreSQL too).
 * Each member's PubSub can drop a seeded share of its deliveries (lossy-pubsub.ts) and counts
 * what it delivers per topic, so tests can check which member received which document's traffic.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { parseServeConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { startServer, type RunningServer, type StartOptions } from '../main.js';
import { createLeveldbStore } from '../persistence/leveldb-store.js';
import { createPostgresStore } from '../persistence/postgres-store.js';
import type { DocumentStore } from '../persistence/document-store.js';
import type { PubSub } from '../pubsub/pubsub.js';
import { createRedisPubSub } from '../pubsub/redis-pubsub.js';
import { explainMissingRedis, machineRedisUrl, testKeyPrefix } from './machine-redis.js';
import { withLoss, type LossyPubSub } from './lossy-pubsub.js';
import type { LogLine } from './test-server.js';

export interface CountingPubSub extends PubSub {
  /** Deliveries to this member's handlers per topic (after losses). */
  readonly deliveredByTopic: ReadonlyMap<string, number>;
}

export interface TestMember {
  readonly server: RunningServer;
  readonly url: string;
  readonly wsUrl: string;
  readonly pubsub: CountingPubSub;
  /** The loss injector under the counter: set `dropRate` to change the share lost. */
  readonly lossy: LossyPubSub;
  readonly logs: LogLine[];
  /** Graceful stop (idempotent). */
  stop(): Promise<void>;
}

export interface TestClusterOptions {
  members: number;
  /** Default: the machine's Redis. */
  redisUrl?: string;
  /** Share of deliveries each member's PubSub drops (default 0). */
  dropRate?: number;
  seed?: number;
  flags?: string[];
  env?: Record<string, string>;
  clusterTuning?: StartOptions['clusterTuning'];
  /** The store member `index` sees (default: the shared store itself), e.g. a gated wrapper around it; not with `database`. */
  storeFor?: (shared: DocumentStore, index: number) => DocumentStore;
  /** PostgreSQL instead of the shared LevelDB store: every member opens the schema itself. */
  database?: { url: string; schema: string };
  revocationPollMs?: number;
  /** Wraps each member's PubSub (under the loss injector), e.g. to drop chosen messages. */
  wrapPubSub?: (pubsub: PubSub, memberIndex: number) => PubSub;
}

export interface TestCluster {
  readonly members: TestMember[];
  /** The shared LevelDB store, or (with `database`) a connection of the test's own to the schema. */
  readonly store: DocumentStore;
  readonly keyPrefix: string;
  /** Starts one more member on the same store and Redis. */
  addMember(): Promise<TestMember>;
  /** Stops every member, closes the store, deletes the folder. */
  dispose(): Promise<void>;
}

export async function startTestCluster(options: TestClusterOptions): Promise<TestCluster> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'tandem-cluster-'));
  const { database } = options;
  const store = database
    ? await createPostgresStore({ url: database.url, schema: database.schema, logger: createLogger('warn'), poolSize: 2 })
    : await createLeveldbStore({ directory: dataDir, fsync: false });
  const databaseFlags = database ? ['--database-url', database.url, '--database-schema', database.schema] : [];
  const keyPrefix = testKeyPrefix('cluster');
  const redisUrl = options.redisUrl ?? machineRedisUrl();
  const members: TestMember[] = [];
  let seed = options.seed ?? 1;

  const addMember = async (): Promise<TestMember> => {
    const config = parseServeConfig(['--port', '0', '--data-dir', dataDir, '--log-level', 'info', ...databaseFlags, ...(options.flags ?? [])], options.env ?? {});
    const logs: LogLine[] = [];
    const logger = createLogger(config.logLevel, captureLines(logs));
    let redis: PubSub;
    try {
      redis = await createRedisPubSub({ url: redisUrl, keyPrefix, logger, connectTimeoutMs: 3_000 });
    } catch (error) {
      throw options.redisUrl ? error : explainMissingRedis(error);
    }
    const wrapped = options.wrapPubSub ? options.wrapPubSub(redis, members.length) : redis;
    const lossy = withLoss(wrapped, { dropRate: options.dropRate ?? 0, seed: seed++ });
    const pubsub = countDeliveries(lossy);
    const server = await startServer(config, {
      logger,
      ...(database ? {} : { store: options.storeFor ? options.storeFor(store, members.length) : store }),
      pubsub,
      ...(options.clusterTuning ? { clusterTuning: options.clusterTuning } : {}),
      ...(options.revocationPollMs !== undefined ? { revocationPollMs: options.revocationPollMs } : {}),
    });
    let stopping: Promise<void> | null = null;
    const member: TestMember = {
      server,
      url: server.url,
      wsUrl: server.url.replace(/^http/, 'ws'),
      pubsub,
      lossy,
      logs,
      stop: () => (stopping ??= server.close()),
    };
    members.push(member);
    return member;
  };

  try {
    for (let i = 0; i < options.members; i++) await addMember();
  } catch (error) {
    await Promise.allSettled(members.map((member) => member.stop()));
    await store.close();
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    members,
    store,
    keyPrefix,
    addMember,
    async dispose() {
      await Promise.allSettled(members.map((member) => member.stop()));
      await store.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

function countDeliveries(inner: PubSub): CountingPubSub {
  const deliveredByTopic = new Map<string, number>();
  return {
    deliveredByTopic,
    get isHealthy() {
      return inner.isHealthy;
    },
    subscribe: (topic, handler) =>
      inner.subscribe(topic, (payload, delivered) => {
        deliveredByTopic.set(delivered, (deliveredByTopic.get(delivered) ?? 0) + 1);
        handler(payload, delivered);
      }),
    publish: (topic, payload) => inner.publish(topic, payload),
    onReconnect: (listener) => inner.onReconnect(listener),
    close: () => inner.close(),
  };
}

function captureLines(logs: LogLine[]): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() !== '') logs.push(JSON.parse(line) as LogLine);
      }
      done();
    },
  });
}
