/**
 * The engines a cluster under test shares: the machine's PostgreSQL and Redis (DATABASE_URL /
 * REDIS_URL, else 127.0.0.1:5432 database `test` and 127.0.0.1:6379). Every cluster the harness
 * starts gets a namespace of its own — a fresh PostgreSQL schema and Redis key prefix — so runs
 * never see each other's documents; the schema is dropped and the keys deleted afterwards.
 * Other users of these engines are left alone: no FLUSHALL, no CONFIG SET, no database-wide DDL.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';

export interface ClusterEngineUrls {
  databaseUrl: string;
  redisUrl: string;
}

/** One cluster's share of the engines. */
export interface ClusterNamespace extends ClusterEngineUrls {
  /** A lower-case SQL name no other run uses (`bench_<hex>`). */
  schema: string;
  /** A Redis key and channel prefix no other run uses (`tandem-bench:<hex>:`). */
  keyPrefix: string;
}

export const DEFAULT_ENGINE_URLS: ClusterEngineUrls = {
  databaseUrl: 'postgres://postgres@127.0.0.1:5432/test',
  redisUrl: 'redis://127.0.0.1:6379',
};

/** The harness reads its environment once (run.ts) and passes the result down. */
export function engineUrlsFromEnv(env: Record<string, string | undefined>): ClusterEngineUrls {
  return {
    databaseUrl: env.DATABASE_URL || DEFAULT_ENGINE_URLS.databaseUrl,
    redisUrl: env.REDIS_URL || DEFAULT_ENGINE_URLS.redisUrl,
  };
}

/** A URL without its password, for messages. */
function redact(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}

async function withDatabase<T>(databaseUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(`cluster benchmark: PostgreSQL at ${redact(databaseUrl)} is not reachable (start it or set DATABASE_URL)`, { cause: error });
  }
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function withRedis<T>(redisUrl: string, work: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 5_000, retryStrategy: () => null });
  // Connection errors surface through connect() below; the listener keeps them from crashing the run.
  redis.on('error', () => {});
  try {
    await redis.connect();
  } catch (error) {
    redis.disconnect();
    throw new Error(`cluster benchmark: Redis at ${redact(redisUrl)} is not reachable (start it or set REDIS_URL)`, { cause: error });
  }
  try {
    return await work(redis);
  } finally {
    redis.disconnect();
  }
}

/** Fails with what to do when either engine does not answer. */
export async function checkClusterEngines(urls: ClusterEngineUrls): Promise<void> {
  await withDatabase(urls.databaseUrl, (client) => client.query('SELECT 1'));
  await withRedis(urls.redisUrl, (redis) => redis.ping());
}

/** A fresh namespace; nothing is created (members create their schema themselves). */
export function newClusterNamespace(urls: ClusterEngineUrls): ClusterNamespace {
  const id = randomBytes(6).toString('hex');
  return { ...urls, schema: `bench_${id}`, keyPrefix: `tandem-bench:${id}:` };
}

/**
 * Drops the namespace's schema and deletes its Redis keys (channels leave nothing behind).
 * Call after every member has stopped, or DROP SCHEMA waits on their locks.
 */
export async function dropClusterNamespace(namespace: ClusterNamespace): Promise<void> {
  await withDatabase(namespace.databaseUrl, (client) => client.query(`DROP SCHEMA IF EXISTS "${namespace.schema}" CASCADE`));
  await withRedis(namespace.redisUrl, async (redis) => {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${namespace.keyPrefix}*`, 'COUNT', 500);
      if (keys.length > 0) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  });
}
