/**
 * An in-process PubSub: several members (one per simulated server) share one hub, so cluster
 * code runs in unit tests and single-process deployments without a broker. It keeps the Redis
 * implementation's contract: asynchronous delivery in publish order, the publisher's own
 * subscriptions receive its messages, each member gets its own copy of the bytes.
 *
 * The hub can also simulate losing the broker (`interrupt()` / `restore()`): members turn
 * unhealthy, publishes are refused, messages in flight are lost, and on restore every member's
 * reconnect listeners run, as after a Redis restart.
 */
import type { Logger } from 'pino';
import { assertValidTopic, callSafely, type PubSub, type PubSubHandler, type Unsubscribe } from './pubsub.js';
import { PubSubError } from './pubsub-error.js';

export interface MemoryPubSubHub {
  /** The simulated broker is gone: nothing is delivered or accepted until `restore()`. */
  interrupt(): void;
  /** The broker is back; every open member's reconnect listeners run. */
  restore(): void;
  readonly isUp: boolean;
}

interface Member {
  closed: boolean;
  readonly logger: Logger;
  readonly subscriptions: Set<Subscription>;
  readonly reconnectListeners: Set<() => void>;
}

interface Subscription {
  readonly member: Member;
  readonly topic: string;
  readonly handler: PubSubHandler;
}

interface HubState {
  up: boolean;
  readonly topics: Map<string, Set<Subscription>>;
  readonly members: Set<Member>;
}

const hubStates = new WeakMap<MemoryPubSubHub, HubState>();

export function createMemoryPubSubHub(): MemoryPubSubHub {
  const state: HubState = { up: true, topics: new Map(), members: new Set() };
  const hub: MemoryPubSubHub = {
    get isUp() {
      return state.up;
    },
    interrupt() {
      state.up = false;
    },
    restore() {
      if (state.up) return;
      state.up = true;
      // Asynchronously, as a real reconnect would be; listeners added meanwhile run too.
      queueMicrotask(() => {
        for (const member of state.members) {
          if (member.closed || !state.up) continue;
          for (const listener of [...member.reconnectListeners]) {
            callSafely(listener, member.logger, { pubsub: 'memory', event: 'reconnect' });
          }
        }
      });
    },
  };
  hubStates.set(hub, state);
  return hub;
}

export function createMemoryPubSub(options: { hub: MemoryPubSubHub; logger: Logger }): PubSub {
  const state = hubStates.get(options.hub);
  if (!state) throw new TypeError('createMemoryPubSub: hub must come from createMemoryPubSubHub()');
  const member: Member = { closed: false, logger: options.logger, subscriptions: new Set(), reconnectListeners: new Set() };
  state.members.add(member);
  let closing: Promise<void> | null = null;

  const refuseIfUnusable = (): void => {
    if (member.closed) throw new PubSubError('closed', 'pub/sub is closed');
    if (!state.up) throw new PubSubError('unavailable', 'in-process broker is interrupted');
  };

  const remove = (subscription: Subscription): void => {
    member.subscriptions.delete(subscription);
    const set = state.topics.get(subscription.topic);
    set?.delete(subscription);
    if (set?.size === 0) state.topics.delete(subscription.topic);
  };

  return {
    get isHealthy() {
      return !member.closed && state.up;
    },

    subscribe: (topic, handler) =>
      settle(() => {
        assertValidTopic(topic);
        refuseIfUnusable();
        const subscription: Subscription = { member, topic, handler };
        member.subscriptions.add(subscription);
        let set = state.topics.get(topic);
        if (!set) state.topics.set(topic, (set = new Set()));
        set.add(subscription);
        const unsubscribe: Unsubscribe = () => settle(() => remove(subscription));
        return unsubscribe;
      }),

    publish: (topic, payload) =>
      settle(() => {
        assertValidTopic(topic);
        refuseIfUnusable();
        const targets = [...(state.topics.get(topic) ?? [])];
        const copies = new Map<Member, Uint8Array>();
        for (const { member: target } of targets) {
          if (!copies.has(target)) copies.set(target, Uint8Array.from(payload));
        }
        // One task per publish keeps publish order; the checks at delivery time drop what an
        // unsubscribe, a close or an interruption overtook, as a network would.
        queueMicrotask(() => {
          for (const subscription of targets) {
            const target = subscription.member;
            if (!state.up || target.closed || !target.subscriptions.has(subscription)) continue;
            const copy = copies.get(target)!;
            callSafely(() => subscription.handler(copy, topic), target.logger, { pubsub: 'memory', topic });
          }
        });
      }),

    onReconnect(listener) {
      member.reconnectListeners.add(listener);
      return () => member.reconnectListeners.delete(listener);
    },

    close() {
      closing ??= settle(() => {
        member.closed = true;
        for (const subscription of [...member.subscriptions]) remove(subscription);
        member.reconnectListeners.clear();
        state.members.delete(member);
      });
      return closing;
    },
  };
}

/** Runs `work` now; its result or exception becomes the promise's (never a synchronous throw). */
function settle<T>(work: () => T): Promise<T> {
  return new Promise((resolve) => resolve(work()));
}
