import { existsSync } from 'node:fs';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createRedisPubSub, type RedisPubSub } from '../pubsub/redis-pubsub.js';
import { PrivateEngineError } from './engine-process.js';
import { startPrivateRedis, type PrivateRedis } from './private-redis.js';
import { waitFor } from './wait-for.js';

const logger = pino({ level: 'silent' });

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

describe('private Redis', () => {
  let redis: PrivateRedis | null = null;
  let pubsub: RedisPubSub | null = null;
  const clients: Redis[] = [];

  afterEach(async () => {
    for (const client of clients.splice(0)) client.disconnect();
    await pubsub?.close();
    await redis?.dispose();
    pubsub = null;
    redis = null;
  });

  it('pub/sub works, the client notices a stop, and after a restart on the same port onReconnect fires and pub/sub works again', async () => {
    redis = await startPrivateRedis();
    pubsub = await createRedisPubSub({ url: redis.url, logger, maxReconnectDelayMs: 200 });
    const received: string[] = [];
    await pubsub.subscribe('doc', (payload) => received.push(Buffer.from(payload).toString()));
    let reconnects = 0;
    pubsub.onReconnect(() => reconnects++);
    await pubsub.publish('doc', Buffer.from('before'));
    await waitFor(() => received.length === 1, { message: 'delivery before the stop' });

    const { port, pid: firstPid } = redis;
    await redis.stop();
    expect(redis.isRunning).toBe(false);
    expect(isAlive(firstPid!)).toBe(false);
    await waitFor(() => !pubsub!.isHealthy, { message: 'client notices the stop' });

    await redis.start();
    expect(redis.port).toBe(port);
    expect(redis.pid).not.toBe(firstPid);
    await waitFor(() => reconnects === 1, { timeoutMs: 15_000, message: 'onReconnect after restart' });
    expect(pubsub.isHealthy).toBe(true);
    await pubsub.publish('doc', Buffer.from('after'));
    await waitFor(() => received.length === 2, { message: 'delivery after the restart' });
    expect(received).toEqual(['before', 'after']);
  });

  it('keeps nothing across a restart (no RDB, no AOF), even after a hard kill', async () => {
    redis = await startPrivateRedis();
    let client = new Redis(redis.url, { maxRetriesPerRequest: 0 });
    clients.push(client);
    await client.set('k', 'v');
    await redis.stop({ hard: true });
    await redis.start();
    client = new Redis(redis.url);
    clients.push(client);
    expect(await client.get('k')).toBeNull();
    expect(await client.config('GET', 'save')).toEqual(['save', '']);
    expect(await client.config('GET', 'bind')).toEqual(['bind', '127.0.0.1']);
  });

  it('dispose stops the process and deletes its folder', async () => {
    const own = await startPrivateRedis();
    const client = new Redis(own.url);
    clients.push(client);
    const dir = ((await client.config('GET', 'dir')) as string[])[1]!;
    const pid = own.pid!;
    expect(existsSync(dir)).toBe(true);
    await own.dispose();
    expect(isAlive(pid)).toBe(false);
    expect(existsSync(dir)).toBe(false);
  });

  it('a missing binary fails with engine-missing naming the Debian package', async () => {
    const error = await startPrivateRedis({ binary: '/nonexistent/redis-server' }).catch((rejection: unknown) => rejection);
    expect(error).toBeInstanceOf(PrivateEngineError);
    expect((error as PrivateEngineError).code).toBe('engine-missing');
    expect((error as Error).message).toMatch(/Debian package redis-server/);
  });
});
