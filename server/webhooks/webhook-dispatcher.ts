/**
 * Sends recorded events to their URLs in the background. Each (event, URL) is a delivery kept in
 * memory and in the outbox; a timer wakes at the earliest due one and starts at most
 * `concurrency` requests. A 2xx answer removes it; anything else (status, network error, timeout)
 * is logged and counted, and the delivery is retried with exponential backoff and jitter until
 * `maxAgeMs` after it was recorded or `maxAttempts`, then dropped with a log line. Past
 * `maxPending` the oldest deliveries are dropped, so a dead receiver cannot grow memory or disk.
 *
 * Signing follows Standard Webhooks: the same `webhook-id` on every attempt, the attempt's
 * `webhook-timestamp`, and `webhook-signature` = HMAC-SHA256 over id.timestamp.body.
 */
import type { Logger } from 'pino';
import { Webhook } from 'standardwebhooks';
import type { WebhookDelivery, WebhookEvent } from './webhook-event.js';
import { deliveriesOf } from './webhook-event.js';
import type { WebhookOutbox } from './webhook-outbox.js';

/** Connected to Prometheus counters by the metrics module; one call per attempt. */
export interface WebhookCounters {
  delivered(url: string): void;
  failed(url: string): void;
}

export interface WebhookDeliveryPolicy {
  /** Longest wait for one answer. */
  timeoutMs: number;
  /** Requests in flight at once, over every URL. */
  concurrency: number;
  /** First retry after about this long, doubling per attempt... */
  initialDelayMs: number;
  /** ...up to this. */
  maxDelayMs: number;
  /** Give up on a delivery this long after its event was recorded... */
  maxAgeMs: number;
  /** ...or after this many attempts. */
  maxAttempts: number;
  /** Deliveries kept (memory and disk); past it the oldest are dropped. */
  maxPending: number;
}

export const DEFAULT_DELIVERY_POLICY: WebhookDeliveryPolicy = Object.freeze({
  timeoutMs: 10_000,
  concurrency: 8,
  initialDelayMs: 5_000,
  maxDelayMs: 60 * 60_000,
  maxAgeMs: 24 * 60 * 60_000,
  maxAttempts: 60,
  maxPending: 10_000,
});

export interface WebhookDispatcherOptions {
  urls: readonly string[];
  secret: string;
  outbox: WebhookOutbox;
  logger: Logger;
  counters?: WebhookCounters;
  policy?: Partial<WebhookDeliveryPolicy>;
}

/** Delay before attempt `attempts + 1`: exponential, with "equal jitter" (half fixed, half random). */
export function retryDelayMs(attempts: number, policy: Pick<WebhookDeliveryPolicy, 'initialDelayMs' | 'maxDelayMs'>, random = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export class WebhookDispatcher {
  readonly #urls: readonly string[];
  readonly #signer: Webhook;
  readonly #outbox: WebhookOutbox;
  readonly #logger: Logger;
  readonly #counters: WebhookCounters | null;
  readonly #policy: WebhookDeliveryPolicy;
  /** Insertion order is recording order: the first entry is the oldest. */
  readonly #pending = new Map<string, WebhookDelivery>();
  readonly #inFlight = new Map<string, AbortController>();
  #timer: NodeJS.Timeout | null = null;
  #closed = false;

  constructor(options: WebhookDispatcherOptions) {
    this.#urls = options.urls;
    this.#signer = new Webhook(options.secret);
    this.#outbox = options.outbox;
    this.#logger = options.logger;
    this.#counters = options.counters ?? null;
    this.#policy = { ...DEFAULT_DELIVERY_POLICY, ...options.policy };
  }

  get pendingCount(): number {
    return this.#pending.size;
  }

  /** Resumes what the outbox held at the last stop, same ids. */
  async resume(): Promise<void> {
    const stored = await this.#outbox.loadAll();
    stored.sort((a, b) => a.createdAt - b.createdAt || (a.key < b.key ? -1 : 1));
    for (const delivery of stored) this.#pending.set(delivery.key, delivery);
    if (stored.length > 0) this.#logger.info({ pending: stored.length }, 'webhooks: resuming stored deliveries');
    this.#trimToCap();
    this.#schedule();
  }

  /** Records the event for every URL; returns at once (the caller may be on the sync path). */
  record(event: WebhookEvent): void {
    if (this.#closed) return;
    for (const delivery of deliveriesOf(event, this.#urls, Date.now())) {
      this.#pending.set(delivery.key, delivery);
      this.#outbox.put(delivery);
    }
    this.#trimToCap();
    this.#schedule();
  }

  /** Stops sending; requests in flight are aborted and stay in the outbox for the next start. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    for (const controller of this.#inFlight.values()) controller.abort(new Error('server stopping'));
    await this.#outbox.close();
  }

  #trimToCap(): void {
    for (const [key, delivery] of this.#pending) {
      if (this.#pending.size <= this.#policy.maxPending) break;
      if (this.#inFlight.has(key)) continue;
      this.#forget(delivery);
      this.#logger.warn(
        { eventId: delivery.eventId, url: delivery.url, maxPending: this.#policy.maxPending },
        'webhooks: outbox full, dropped the oldest delivery',
      );
    }
  }

  #forget(delivery: WebhookDelivery): void {
    this.#pending.delete(delivery.key);
    this.#outbox.remove(delivery.key);
  }

  /** Starts what is due, then sleeps until the next due delivery. */
  #schedule(): void {
    if (this.#closed) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    const now = Date.now();
    let nextDue = Infinity;
    for (const delivery of this.#pending.values()) {
      if (this.#inFlight.has(delivery.key)) continue;
      if (delivery.nextAttemptAt > now) {
        nextDue = Math.min(nextDue, delivery.nextAttemptAt);
        continue;
      }
      if (this.#inFlight.size >= this.#policy.concurrency) return; // a finishing request reschedules
      void this.#attempt(delivery);
    }
    if (nextDue !== Infinity) {
      this.#timer = setTimeout(() => this.#schedule(), Math.max(0, nextDue - now));
      this.#timer.unref();
    }
  }

  async #attempt(delivery: WebhookDelivery): Promise<void> {
    const controller = new AbortController();
    this.#inFlight.set(delivery.key, controller);
    const timer = setTimeout(() => controller.abort(new Error(`no answer within ${this.#policy.timeoutMs} ms`)), this.#policy.timeoutMs);
    delivery.attempts += 1;
    let failure: { status?: number; err?: string } | null = null;
    try {
      const sentAt = new Date();
      const response = await fetch(delivery.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'tandem-webhooks',
          'webhook-id': delivery.eventId,
          'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
          'webhook-signature': this.#signer.sign(delivery.eventId, sentAt, delivery.body),
        },
        body: delivery.body,
        redirect: 'manual',
        signal: controller.signal,
      });
      // Read (and discard) the body so the connection is reused; the timeout still applies.
      await response.arrayBuffer();
      if (response.status < 200 || response.status > 299) failure = { status: response.status };
    } catch (error) {
      const reason: unknown = controller.signal.aborted ? controller.signal.reason : error;
      failure = { err: reason instanceof Error ? reason.message : String(reason) };
    } finally {
      clearTimeout(timer);
      this.#inFlight.delete(delivery.key);
    }
    if (this.#closed) return;
    if (failure === null) {
      this.#counters?.delivered(delivery.url);
      this.#forget(delivery);
    } else {
      this.#counters?.failed(delivery.url);
      this.#retryOrDrop(delivery, failure);
    }
    this.#schedule();
  }

  #retryOrDrop(delivery: WebhookDelivery, failure: { status?: number; err?: string }): void {
    const now = Date.now();
    const nextAttemptAt = now + retryDelayMs(delivery.attempts, this.#policy);
    const fields = { eventId: delivery.eventId, url: delivery.url, attempt: delivery.attempts, ...failure };
    if (delivery.attempts >= this.#policy.maxAttempts || nextAttemptAt > delivery.createdAt + this.#policy.maxAgeMs) {
      this.#logger.error(fields, 'webhooks: delivery failed, giving up');
      this.#forget(delivery);
      return;
    }
    this.#logger.warn({ ...fields, nextAttemptAt: new Date(nextAttemptAt).toISOString() }, 'webhooks: delivery failed, will retry');
    delivery.nextAttemptAt = nextAttemptAt;
    this.#outbox.put(delivery);
  }
}
