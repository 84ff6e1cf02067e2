import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { runPubSubContract } from './pubsub-contract.js';
import type { PubSub } from './pubsub.js';
import { PubSubError } from './pubsub-error.js';
import { createRedisPubSub, type RedisPubSub, type RedisPubSubOptions } from './redis-pubsub.js';
import { findFreePort } from '../test-support/engine-process.js';
import { explainMissingRedis, machineRedisUrl, testKeyPrefix } from '../test-support/machine-redis.js';
import { startPrivateRedis, type PrivateRedis } from '../test-support/private-redis.js';
import { waitFor } from '../test-support/wait-for.js';

const logger = pino({ level: 'silent' });
const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (payload: Uint8Array): string => new TextDecoder().decode(payload);

runPubSubContract(
  'Redis (machine, REDIS_URL)',
  () => {
    const keyPrefix = testKeyPrefix('contract');
    const members: PubSub[] = [];
    return Promise.resolve({
      async member() {
        const member = await createRedisPubSub({ url: machineRedisUrl(), keyPrefix, logger, connectTimeoutMs: 5_000 }).catch((error: unknown) => {
          throw explainMissingRedis(error);
        });
        members.push(member);
        return member;
      },
      dispose: async () => {
        await Promise.all(members.map((member) => member.close()));
      },
    });
  },
  { outages: false },
);

runPubSubContract(
  'Redis (private, stopped and restarted)',
  async () => {
    const redis = await startPrivateRedis();
    const members: PubSub[] = [];
    return {
      async member() {
        const member = await createRedisPubSub({ url: redis.url, keyPrefix: 'tandem:ps:', logger, maxReconnectDelayMs: 200 });
        members.push(member);
        return member;
      },
      interrupt: () => redis.stop(),
      restore: () => redis.start(),
      dispose: async () => {
        await Promise.all(members.map((member) => member.close()));
        await redis.dispose();
      },
    };
  },
  { outages: true },
);

describe('RedisPubSub on a private Redis', () => {
  let redis: PrivateRedis | null = null;
  const opened: { close(): Promise<void> }[] = [];
  const raw: Redis[] = [];

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((item) => item.close()));
    for (const client of raw.splice(0)) client.disconnect();
    await redis?.dispose();
    redis = null;
  });

  async function member(options: Partial<RedisPubSubOptions> = {}): Promise<RedisPubSub> {
    redis ??= await startPrivateRedis();
    const pubsub = await createRedisPubSub({ url: redis.url, logger, maxReconnectDelayMs: 200, ...options });
    opened.push(pubsub);
    return pubsub;
  }

  function rawClient(): Redis {
    const client = new Redis(redis!.url);
    raw.push(client);
    return client;
  }

  it('subscribes to one base64url channel under the prefix per topic, with SUBSCRIBE and never a pattern', async () => {
    const pubsub = await member({ keyPrefix: 'app:' });
    const received: string[] = [];
    await pubsub.subscribe('doc*', (payload) => received.push(text(payload)));
    const admin = rawClient();
    expect(pubsub.channelFor('doc*')).toBe('app:ZG9jKg');
    expect(await admin.pubsub('CHANNELS', '*')).toEqual(['app:ZG9jKg']);
    expect(await admin.pubsub('NUMPAT')).toBe(0);
    // A raw publish on the literal name reaches nobody; on the encoded channel it arrives.
    expect(await admin.publish('app:doc*', 'literal')).toBe(0);
    expect(await admin.publish('app:ZG9jKg', 'encoded')).toBe(1);
    await waitFor(() => received.length === 1, { message: 'raw publish on the encoded channel' });
    expect(received).toEqual(['encoded']);
  });

  it('keeps members with different key prefixes apart on one Redis', async () => {
    const blue = await member({ keyPrefix: 'blue:' });
    const green = await member({ keyPrefix: 'green:' });
    const blueBox: string[] = [];
    const greenBox: string[] = [];
    await blue.subscribe('doc', (payload) => blueBox.push(text(payload)));
    await green.subscribe('doc', (payload) => greenBox.push(text(payload)));
    await blue.publish('doc', bytes('from blue'));
    await green.publish('doc', bytes('from green'));
    await waitFor(() => blueBox.length === 1 && greenBox.length === 1, { message: 'one message each' });
    // Each connection's messages arrive in order, so a second message proves no stray first one.
    await blue.publish('doc', bytes('blue again'));
    await waitFor(() => blueBox.length === 2, { message: 'second blue message' });
    expect(blueBox).toEqual(['from blue', 'blue again']);
    expect(greenBox).toEqual(['from green']);
  });

  it('rejects a key prefix that does not end with ":" (it could run into the encoded topic)', async () => {
    await expect(member({ keyPrefix: 'app' })).rejects.toThrow(/ending with ':'/);
  });

  it('fires onReconnect after only the subscriber connection was killed, with its channels subscribed again', async () => {
    const pubsub = await member();
    const received: string[] = [];
    await pubsub.subscribe('doc', (payload) => received.push(text(payload)));
    await pubsub.subscribe('other', () => undefined);
    const admin = rawClient();
    let reconnects = 0;
    const seenByListener: { numsub: Promise<unknown> | null } = { numsub: null };
    pubsub.onReconnect(() => {
      reconnects++;
      // Asked the moment the listener runs: the channel must already be subscribed again.
      seenByListener.numsub = admin.pubsub('NUMSUB', pubsub.channelFor('doc'));
    });
    expect(await admin.client('KILL', 'TYPE', 'pubsub')).toBe(1);
    await waitFor(() => reconnects === 1, { message: 'onReconnect after CLIENT KILL' });
    expect(await seenByListener.numsub).toEqual([pubsub.channelFor('doc'), 1]);
    expect((await admin.pubsub('CHANNELS', '*')).sort()).toEqual([pubsub.channelFor('doc'), pubsub.channelFor('other')].sort());
    await pubsub.publish('doc', bytes('after kill'));
    await waitFor(() => received.length === 1, { message: 'delivery after resubscribe' });
    expect(received).toEqual(['after kill']);
  });

  it('does not fire onReconnect (and stays unhealthy) while re-subscribing is refused; fires once it succeeds', async () => {
    const lines: { msg: string }[] = [];
    const captured = pino({ level: 'warn' }, { write: (line: string) => lines.push(JSON.parse(line) as { msg: string }) });
    const pubsub = await member({ logger: captured });
    const received: string[] = [];
    await pubsub.subscribe('doc', (payload) => received.push(text(payload)));
    let reconnects = 0;
    pubsub.onReconnect(() => reconnects++);
    const admin = rawClient();
    // Taking channel rights away makes Redis drop the subscriber, and refuses its SUBSCRIBE after.
    await admin.acl('SETUSER', 'default', 'resetchannels');
    const refusals = (): number => lines.filter((line) => line.msg.startsWith('redis pubsub: re-subscribing failed')).length;
    await waitFor(() => refusals() >= 2, { message: 'two refused re-subscribes' });
    expect(reconnects).toBe(0);
    expect(pubsub.isHealthy).toBe(false);

    await admin.acl('SETUSER', 'default', 'allchannels');
    await waitFor(() => reconnects === 1, { message: 'onReconnect once SUBSCRIBE is allowed' });
    expect(pubsub.isHealthy).toBe(true);
    await pubsub.publish('doc', bytes('allowed again'));
    await waitFor(() => received.length === 1, { message: 'delivery after the refusals' });
    expect(received).toEqual(['allowed again']);
  });

  it('does not subscribe again after a reconnect to topics unsubscribed during the outage', async () => {
    const pubsub = await member();
    const dropped = await pubsub.subscribe('dropped', () => undefined);
    await pubsub.subscribe('kept', () => undefined);
    let reconnects = 0;
    pubsub.onReconnect(() => reconnects++);
    await redis!.stop();
    await waitFor(() => !pubsub.isHealthy, { message: 'outage noticed' });
    await dropped();
    await redis!.start();
    await waitFor(() => reconnects === 1, { timeoutMs: 15_000, message: 'onReconnect' });
    expect(await rawClient().pubsub('CHANNELS', '*')).toEqual([pubsub.channelFor('kept')]);
  });

  it('rejects a publish Redis does not answer within commandTimeoutMs with publish-failed', async () => {
    const pubsub = await member({ commandTimeoutMs: 300 });
    // CLIENT PAUSE WRITE holds PUBLISH (it is propagated to replicas) without closing anything.
    await rawClient().client('PAUSE', 2_000, 'WRITE');
    const error = await pubsub.publish('doc', bytes('held')).catch((rejection: unknown) => rejection);
    expect(error).toBeInstanceOf(PubSubError);
    expect((error as PubSubError).code).toBe('publish-failed');
  });

  it('close resolves while Redis is away and the connections are retrying', async () => {
    const pubsub = await member();
    await redis!.stop();
    await waitFor(() => !pubsub.isHealthy, { message: 'outage noticed' });
    await pubsub.close();
    expect(pubsub.isHealthy).toBe(false);
    // Nothing comes back later. Proving an absence takes a window: three times the 200 ms
    // backoff after Redis is up again, the only client connected is the one asking.
    await redis!.start();
    const admin = rawClient();
    const until = Date.now() + 600;
    while (Date.now() < until) {
      expect(((await admin.client('LIST')) as string).trim().split('\n'), 'clients connected').toHaveLength(1);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });

  it('checkEvictionPolicy: null for noeviction, a warning naming an allkeys-* policy', async () => {
    const pubsub = await member();
    expect(await pubsub.checkEvictionPolicy()).toBeNull();
    await rawClient().config('SET', 'maxmemory-policy', 'allkeys-lru');
    expect(await pubsub.checkEvictionPolicy()).toMatch(/maxmemory-policy is allkeys-lru/);
    await rawClient().config('SET', 'maxmemory-policy', 'volatile-lru');
    expect(await pubsub.checkEvictionPolicy()).toBeNull();
  });

  it('checkEvictionPolicy: a warning, not a crash, when CONFIG is refused', async () => {
    redis = await startPrivateRedis({ extraArgs: ['--rename-command', 'CONFIG', ''] });
    const pubsub = await member();
    expect(await pubsub.checkEvictionPolicy()).toMatch(/could not read Redis maxmemory-policy .*unknown command/i);
  });

  it('fails with connect-failed naming host and port, never the password, when nothing listens', async () => {
    const port = await findFreePort();
    const error = await createRedisPubSub({ url: `redis://:hunter2@127.0.0.1:${port}`, logger, connectTimeoutMs: 300 }).catch(
      (rejection: unknown) => rejection,
    );
    expect(error).toBeInstanceOf(PubSubError);
    expect((error as PubSubError).code).toBe('connect-failed');
    expect((error as Error).message).toContain(`127.0.0.1:${port}`);
    expect((error as Error).message).not.toContain('hunter2');
  });
});
