/**
 * The seam between cluster members: binary payloads published on a topic reach every member that
 * subscribed to it, including the publisher itself (members drop their own echoes by sender id).
 * Topics are document names plus a few cluster-wide names; implementations map them to broker
 * channels with an encoding that cannot collide or widen a pattern.
 *
 * Delivery is at most once: a message can be lost (a broker restart, a dropped connection, a
 * publish that failed). Nothing may rely on the broker keeping data. Callers number their
 * messages (see server/cluster/) to notice gaps, and resync everything on `onReconnect`.
 */
import type { Logger } from 'pino';
import { PubSubError } from './pubsub-error.js';

/**
 * Called once per message on a topic. The payload must not be modified (other handlers of the
 * same member may share it). A handler may run before its `subscribe()` promise resolves.
 * Handlers should not throw; an implementation catches and logs what they throw.
 */
export type PubSubHandler = (payload: Uint8Array, topic: string) => void;

/** Removes one subscription; resolves once the broker stopped sending it. Idempotent. */
export type Unsubscribe = () => Promise<void>;

export interface PubSub {
  /**
   * Resolves once the subscription is active at the broker: a message published (by anyone)
   * after this resolves is delivered, unless lost. So "subscribe first, then load" misses nothing.
   * Rejects with PubSubError ('invalid-topic', 'closed', 'unavailable', 'subscribe-failed').
   */
  subscribe(topic: string, handler: PubSubHandler): Promise<Unsubscribe>;
  /**
   * Resolves once the broker accepted the message. Rejects with PubSubError: 'unavailable'
   * (nothing sent), 'publish-failed' (maybe delivered), 'invalid-topic', 'closed'.
   */
  publish(topic: string, payload: Uint8Array): Promise<void>;
  /**
   * `listener` runs after the connection to the broker was lost and every subscription is active
   * again. Anything published meanwhile was lost: owners must resync every topic they hold.
   * Returns the function that removes the listener.
   */
  onReconnect(listener: () => void): () => void;
  /** Connected and subscribed (for /readyz). */
  readonly isHealthy: boolean;
  /** Stops delivery and releases connections. Idempotent; later calls return the same promise. */
  close(): Promise<void>;
}

/** Longer than any document name (128) plus a cluster-wide prefix. */
export const MAX_TOPIC_LENGTH = 256;

// Printable ASCII without space: every topic maps to exactly one byte string (no lone surrogates
// that UTF-8 would replace), and nothing a log line or a channel name could misread.
const TOPIC_PATTERN = /^[\x21-\x7e]+$/;

export function assertValidTopic(topic: string): void {
  if (typeof topic !== 'string' || topic.length === 0 || topic.length > MAX_TOPIC_LENGTH || !TOPIC_PATTERN.test(topic)) {
    const shown = typeof topic === 'string' ? JSON.stringify(topic.slice(0, 40)) : typeof topic;
    throw new PubSubError('invalid-topic', `invalid pub/sub topic ${shown}: 1-${MAX_TOPIC_LENGTH} printable ASCII characters`);
  }
}

/**
 * Runs one handler (or reconnect listener) so that nothing it throws, synchronously or as a
 * rejected promise, escapes into the connection's event emitter: it is logged instead.
 */
export function callSafely(run: () => unknown, logger: Pick<Logger, 'error'>, context: Record<string, unknown>): void {
  const report = (error: unknown): void => logger.error({ ...context, err: error }, 'pub/sub listener failed');
  try {
    const result = run();
    if (result instanceof Promise) result.catch(report);
  } catch (error) {
    report(error);
  }
}
