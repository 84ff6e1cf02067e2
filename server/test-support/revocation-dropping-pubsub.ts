/**
 * Fault injection for revocations: wraps a member's PubSub and drops every revocation delivered
 * to it (each copy: the first and the repeats sent with heartbeats), as a broker that delivers at
 * most once may, while heartbeats and document traffic pass. Counts what it dropped, so a test
 * can show the revocation really travelled and was lost. `refuseRevocationPublishes` is the
 * sending side: the broker does not take a revocation (publish rejects), everything else passes.
 */
import { tryDecodeClusterMessage } from '../cluster/cluster-message.js';
import { MEMBERS_TOPIC } from '../cluster/document-topic.js';
import type { PubSub } from '../pubsub/pubsub.js';
import { PubSubError } from '../pubsub/pubsub-error.js';

export interface RevocationDroppingPubSub extends PubSub {
  readonly droppedRevocations: number;
}

export function dropRevocations(inner: PubSub): RevocationDroppingPubSub {
  let droppedRevocations = 0;
  return {
    get droppedRevocations() {
      return droppedRevocations;
    },
    get isHealthy() {
      return inner.isHealthy;
    },
    subscribe: (topic, handler) =>
      inner.subscribe(topic, (payload, deliveredTopic) => {
        if (deliveredTopic === MEMBERS_TOPIC) {
          const decoded = tryDecodeClusterMessage(payload);
          if (decoded.ok && decoded.message.kind === 'revoke') {
            droppedRevocations++;
            return;
          }
        }
        handler(payload, deliveredTopic);
      }),
    publish: (topic, payload) => inner.publish(topic, payload),
    onReconnect: (listener) => inner.onReconnect(listener),
    close: () => inner.close(),
  };
}

export function refuseRevocationPublishes(inner: PubSub): PubSub {
  return {
    get isHealthy() {
      return inner.isHealthy;
    },
    subscribe: (topic, handler) => inner.subscribe(topic, handler),
    publish: (topic, payload) => {
      const decoded = topic === MEMBERS_TOPIC ? tryDecodeClusterMessage(payload) : null;
      if (decoded?.ok && decoded.message.kind === 'revoke') return Promise.reject(new PubSubError('unavailable', 'test: the broker refuses revocations'));
      return inner.publish(topic, payload);
    },
    onReconnect: (listener) => inner.onReconnect(listener),
    close: () => inner.close(),
  };
}
