/**
 * Fault injection between cluster members: wraps a member's PubSub and drops a seeded fraction of
 * the messages delivered to its handlers, as a broker that delivers at most once may. Publishing,
 * health and reconnects pass through untouched. Each delivery to a handler is one draw, so a
 * failing seed reproduces the same losses.
 */
import type { PubSub } from '../pubsub/pubsub.js';
import { seededRandom } from './seeded-random.js';

export interface LossyPubSub extends PubSub {
  /** Fraction of deliveries dropped, 0..1; may be changed while running (0 to stop losing). */
  dropRate: number;
  readonly delivered: number;
  readonly dropped: number;
}

export function withLoss(inner: PubSub, options: { dropRate: number; seed: number }): LossyPubSub {
  const random = seededRandom(options.seed);
  let delivered = 0;
  let dropped = 0;
  const lossy: LossyPubSub = {
    dropRate: options.dropRate,
    get delivered() {
      return delivered;
    },
    get dropped() {
      return dropped;
    },
    get isHealthy() {
      return inner.isHealthy;
    },
    subscribe: (topic, handler) =>
      inner.subscribe(topic, (payload, deliveredTopic) => {
        // Drawn even at rate 0 or 1, so changing the rate keeps later draws in step with the seed.
        if (random.next() < lossy.dropRate) {
          dropped++;
          return;
        }
        delivered++;
        handler(payload, deliveredTopic);
      }),
    publish: (topic, payload) => inner.publish(topic, payload),
    onReconnect: (listener) => inner.onReconnect(listener),
    close: () => inner.close(),
  };
  return lossy;
}
