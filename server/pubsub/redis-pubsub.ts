/**
 * PubSub over Redis pub/sub (ioredis). Payloads go out on the publisher connection and come back
 * as Buffers on a separate subscriber connection (a subscribed connection cannot publish), on
 * channel `<keyPrefix><base64url(topic)>` (see topic-channel.ts): only SUBSCRIBE, never PSUBSCRIBE.
 *
 * Failures are reported, never queued: both connections run without ioredis' offline queue and
 * with `maxRetriesPerRequest: 0`, so a publish while Redis is away rejects at once ('unavailable')
 * and one in flight when the connection drops rejects ('publish-failed') instead of being resent
 * later out of order. Reconnecting is ioredis' (retryStrategy); re-subscribing is ours rather than
 * ioredis' `autoResubscribe`, because ioredis emits 'ready' before its re-SUBSCRIBE is answered and
 * `onReconnect` must only fire once every channel is active again (and the publisher is back).
 */
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import { assertValidTopic, callSafely, type PubSub, type PubSubHandler, type Unsubscribe } from './pubsub.js';
import { PubSubError } from './pubsub-error.js';
import { assertValidKeyPrefix, channelForTopic, DEFAULT_KEY_PREFIX } from './topic-channel.js';

export interface RedisPubSubOptions {
  /** `redis://[user:password@]host:port[/db]`. */
  url: string;
  /** Ends with ':'; members of one cluster share it. Default 'tandem:ps:'. */
  keyPrefix?: string;
  logger: Logger;
  /** How long the factory waits for both connections. Default 10 s. */
  connectTimeoutMs?: number;
  /** A command unanswered this long rejects (a hung connection). Default 5 s. */
  commandTimeoutMs?: number;
  /** Reconnect backoff: 100 ms more per attempt, up to this. Default 2 s. */
  maxReconnectDelayMs?: number;
}

interface Channel {
  readonly topic: string;
  readonly name: string;
  /** One object per subscribe() call, so one function subscribed twice counts twice. */
  readonly subscriptions: Set<{ handler: PubSubHandler }>;
  /** Settles when the SUBSCRIBE that created this entry was answered. */
  readonly active: Promise<unknown>;
}

export async function createRedisPubSub(options: RedisPubSubOptions): Promise<RedisPubSub> {
  return RedisPubSub.create(options);
}

export class RedisPubSub implements PubSub {
  readonly #publisher: Redis;
  readonly #subscriber: Redis;
  readonly #keyPrefix: string;
  readonly #logger: Logger;
  readonly #channels = new Map<string, Channel>();
  readonly #reconnectListeners = new Set<() => void>();
  #started = false;
  #closing: Promise<void> | null = null;
  /** False from losing the subscriber connection until every channel is subscribed again. */
  #subscriberSynced = true;
  #reconnectPending = false;
  /** Counts subscriber 'ready' events, so a stale re-subscribe cannot act on a newer connection. */
  #subscriberEpoch = 0;
  readonly #errorLogged = { publisher: false, subscriber: false };

  private constructor(options: RedisPubSubOptions) {
    this.#keyPrefix = options.keyPrefix ?? DEFAULT_KEY_PREFIX;
    assertValidKeyPrefix(this.#keyPrefix);
    this.#logger = options.logger.child({ component: 'redis-pubsub' });
    const maxDelay = options.maxReconnectDelayMs ?? 2_000;
    const clientOptions: RedisOptions = {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResubscribe: false,
      autoResendUnfulfilledCommands: false,
      commandTimeout: options.commandTimeoutMs ?? 5_000,
      retryStrategy: (attempt) => Math.min(attempt * 100, maxDelay),
    };
    // Auto-pipelining sends every PUBLISH of one event-loop turn in one socket write: per-message
    // writes were most of a member's CPU when it relayed many documents' edits.
    this.#publisher = new Redis(options.url, { ...clientOptions, enableAutoPipelining: true, connectionName: 'tandem-pubsub-pub' });
    this.#subscriber = new Redis(options.url, { ...clientOptions, connectionName: 'tandem-pubsub-sub' });
    this.#watch(this.#publisher, 'publisher');
    this.#watch(this.#subscriber, 'subscriber');
    this.#subscriber.on('messageBuffer', (channel: Buffer, message: Buffer) => this.#deliver(channel.toString('latin1'), message));
    this.#subscriber.on('close', () => {
      if (!this.#started || this.#closing) return;
      this.#subscriberSynced = false;
      this.#reconnectPending = true;
    });
    this.#subscriber.on('ready', () => {
      const epoch = ++this.#subscriberEpoch;
      if (!this.#subscriberSynced) void this.#resubscribe(epoch);
    });
    this.#publisher.on('ready', () => this.#maybeFireReconnect());
  }

  static async create(options: RedisPubSubOptions): Promise<RedisPubSub> {
    const pubsub = new RedisPubSub(options);
    const timeoutMs = options.connectTimeoutMs ?? 10_000;
    try {
      await Promise.all([waitReady(pubsub.#publisher, timeoutMs), waitReady(pubsub.#subscriber, timeoutMs)]);
    } catch (error) {
      await pubsub.close();
      throw new PubSubError('connect-failed', `Redis at ${describeUrl(options.url)} was not ready within ${timeoutMs} ms`, { cause: error });
    }
    pubsub.#started = true;
    return pubsub;
  }

  get isHealthy(): boolean {
    return !this.#closing && this.#publisher.status === 'ready' && this.#subscriber.status === 'ready' && this.#subscriberSynced;
  }

  /** The Redis channel a topic travels on (for operators and tests). */
  channelFor(topic: string): string {
    return channelForTopic(this.#keyPrefix, topic);
  }

  async subscribe(topic: string, handler: PubSubHandler): Promise<Unsubscribe> {
    assertValidTopic(topic);
    if (this.#closing) throw new PubSubError('closed', 'pub/sub is closed');
    if (this.#subscriber.status !== 'ready' || !this.#subscriberSynced) {
      throw new PubSubError('unavailable', `cannot subscribe to ${topic}: Redis subscriber connection is ${this.#subscriber.status}`);
    }
    const name = this.channelFor(topic);
    let channel = this.#channels.get(name);
    if (!channel) {
      channel = { topic, name, subscriptions: new Set(), active: this.#subscriber.subscribe(name) };
      this.#channels.set(name, channel);
    }
    const subscription = { handler };
    channel.subscriptions.add(subscription);
    try {
      await channel.active;
    } catch (error) {
      await this.#remove(channel, subscription);
      throw new PubSubError('subscribe-failed', `SUBSCRIBE for ${topic} failed`, { cause: error });
    }
    if (this.#closing) throw new PubSubError('closed', 'pub/sub closed while subscribing');
    let removal: Promise<void> | null = null;
    return () => (removal ??= this.#remove(channel, subscription));
  }

  async publish(topic: string, payload: Uint8Array): Promise<void> {
    assertValidTopic(topic);
    if (this.#closing) throw new PubSubError('closed', 'pub/sub is closed');
    if (this.#publisher.status !== 'ready') {
      throw new PubSubError('unavailable', `cannot publish to ${topic}: Redis publisher connection is ${this.#publisher.status}`);
    }
    const bytes = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
    try {
      await this.#publisher.publish(this.channelFor(topic), bytes);
    } catch (error) {
      throw new PubSubError('publish-failed', `PUBLISH to ${topic} was not confirmed`, { cause: error });
    }
  }

  onReconnect(listener: () => void): () => void {
    this.#reconnectListeners.add(listener);
    return () => this.#reconnectListeners.delete(listener);
  }

  /**
   * A warning to log when Redis may evict data (`maxmemory-policy` allkeys-*), or when the policy
   * cannot be read (CONFIG refused or renamed, as managed Redis services do); null when fine.
   * Pub/sub itself stores nothing, but nothing of Tandem's may ever be kept in Redis alone.
   */
  async checkEvictionPolicy(): Promise<string | null> {
    let reply: unknown;
    try {
      reply = await this.#publisher.config('GET', 'maxmemory-policy');
    } catch (error) {
      return `could not read Redis maxmemory-policy (${(error as Error).message}); make sure it is not an allkeys-* policy, which evicts keys under memory pressure`;
    }
    const policy = Array.isArray(reply) ? (reply as unknown[])[1] : undefined;
    if (typeof policy !== 'string') return `Redis did not report its maxmemory-policy (got ${JSON.stringify(reply)}); make sure it is not an allkeys-* policy`;
    if (policy.startsWith('allkeys-')) {
      return `Redis maxmemory-policy is ${policy}: under memory pressure Redis evicts any key; use noeviction (or a volatile-* policy) for a Redis shared with Tandem`;
    }
    return null;
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#channels.clear();
      this.#reconnectListeners.clear();
      await Promise.all([disconnect(this.#publisher), disconnect(this.#subscriber)]);
    })();
    return this.#closing;
  }

  #deliver(name: string, message: Buffer): void {
    const channel = this.#channels.get(name);
    if (!channel) return; // unsubscribed while the message was on its way
    for (const subscription of [...channel.subscriptions]) {
      // Checked per handler: an earlier handler may have unsubscribed a later one.
      if (!channel.subscriptions.has(subscription)) continue;
      callSafely(() => subscription.handler(message, channel.topic), this.#logger, { topic: channel.topic });
    }
  }

  async #remove(channel: Channel, subscription: { handler: PubSubHandler }): Promise<void> {
    channel.subscriptions.delete(subscription);
    if (channel.subscriptions.size > 0 || this.#channels.get(channel.name) !== channel) return;
    this.#channels.delete(channel.name);
    // A lost connection took the subscription with it, and the re-subscribe only covers channels
    // still in the map; a stray subscription left by a timed-out UNSUBSCRIBE only costs ignored
    // messages.
    if (this.#subscriber.status !== 'ready' || this.#closing) return;
    try {
      await this.#subscriber.unsubscribe(channel.name);
    } catch (error) {
      this.#logger.warn({ topic: channel.topic, err: error }, 'redis pubsub: UNSUBSCRIBE not confirmed; its messages are ignored');
    }
  }

  async #resubscribe(epoch: number): Promise<void> {
    const names = [...this.#channels.keys()];
    try {
      if (names.length > 0) await this.#subscriber.subscribe(...names);
    } catch (error) {
      if (epoch !== this.#subscriberEpoch || this.#closing) return; // a newer connection retries
      this.#logger.warn({ err: error, channels: names.length }, 'redis pubsub: re-subscribing failed; reconnecting to retry');
      this.#subscriber.disconnect(true);
      return;
    }
    if (epoch !== this.#subscriberEpoch || this.#closing || this.#subscriber.status !== 'ready') return;
    this.#subscriberSynced = true;
    this.#logger.info({ channels: names.length }, 'redis pubsub: subscriber reconnected and re-subscribed');
    this.#maybeFireReconnect();
  }

  #maybeFireReconnect(): void {
    if (!this.#reconnectPending || !this.#subscriberSynced || this.#publisher.status !== 'ready' || this.#closing) return;
    this.#reconnectPending = false;
    for (const listener of [...this.#reconnectListeners]) callSafely(listener, this.#logger, { event: 'reconnect' });
  }

  /** One log line per outage and connection, not one per retry. */
  #watch(client: Redis, role: 'publisher' | 'subscriber'): void {
    client.on('error', (error: Error) => {
      if (this.#errorLogged[role] || this.#closing) return;
      this.#errorLogged[role] = true;
      this.#logger.warn({ role, err: error }, 'redis pubsub: connection error; reconnecting');
    });
    client.on('ready', () => {
      this.#errorLogged[role] = false;
    });
  }
}

function waitReady(client: Redis, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off('ready', onReady);
      reject(new Error(`connection ${client.status} after ${timeoutMs} ms`));
    }, timeoutMs);
    const onReady = (): void => {
      clearTimeout(timer);
      resolve();
    };
    client.once('ready', onReady);
    // connect() rejects on the first failed attempt, but ioredis keeps retrying; the deadline
    // above decides, and the 'error' listener logs why.
    client.connect().catch((error: unknown) => {
      if (client.status === 'end') {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  });
}

/** Ends a client for good; resolves once its socket is closed. */
async function disconnect(client: Redis): Promise<void> {
  // Between attempts ('reconnecting') there is no socket: disconnect() only cancels the next
  // attempt and ioredis never emits 'end', so there is nothing to wait for.
  const hasSocket = client.status === 'connecting' || client.status === 'connect' || client.status === 'ready';
  const ended = hasSocket ? new Promise<void>((resolve) => client.once('end', () => resolve())) : Promise.resolve();
  client.disconnect();
  await ended;
}

/** host:port only: the URL may carry a password. */
function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || '6379'}`;
  } catch {
    return '(unparsable REDIS url)';
  }
}
