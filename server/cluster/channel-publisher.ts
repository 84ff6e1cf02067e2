/**
 * What this member sends on one document's topic: its own edits (client, lease and untagged
 * updates, and client updates Yjs holds pending; never what came from pub/sub, the store or a
 * catch-up) and its clients' presence, each numbered by the per-topic sequence counter so
 * receivers notice losses. After a real message, tail heartbeats follow (tail-heartbeats.ts), so a
 * lost last message shows up as a jump too.
 */
import * as awarenessProtocol from 'y-protocols/awareness';
import type { Logger } from 'pino';
import type { PubSub } from '../pubsub/pubsub.js';
import type { Room } from '../room/room.js';
import type { RoomEvents } from '../room/room-events.js';
import { encodeClusterMessage, type ClusterMessage, type MemberId } from './cluster-message.js';
import type { RemoteAwareness } from './remote-awareness.js';
import type { SequenceCounter } from './sequence-counter.js';
import { TailHeartbeats } from './tail-heartbeats.js';

/** A message as its sender writes it: sender and seq are filled in on publishing. */
export type Outgoing = DistributiveOmit<ClusterMessage, 'sender' | 'seq'>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export interface PublisherContext {
  id: MemberId;
  pubsub: PubSub;
  counter: SequenceCounter;
  logger: Logger;
  /** Delays after our last message at which tail heartbeats go out. */
  tailDelaysMs: readonly number[];
}

export class ChannelPublisher {
  readonly #name: string;
  readonly #topic: string;
  readonly #context: PublisherContext;
  readonly #tail: TailHeartbeats;
  #stopped = false;

  constructor(name: string, topic: string, context: PublisherContext) {
    this.#name = name;
    this.#topic = topic;
    this.#context = context;
    this.#tail = new TailHeartbeats(context.tailDelaysMs, () => this.#send({ kind: 'heartbeat' }, true));
  }

  /** Publishes the room's own changes and its clients' presence from now on; returns the detach. */
  publishChangesOf(room: Room, presence: RemoteAwareness): () => void {
    const onUpdate: RoomEvents['update'] = (update, origin) => {
      if (origin === null || origin.source === 'client' || origin.source === 'lease') this.publish({ kind: 'update', update });
    };
    const onPending: RoomEvents['pending'] = (update) => this.publish({ kind: 'update', update });
    const onAwareness: RoomEvents['awareness'] = (change, origin) => {
      const ids = presence.observe(change, origin);
      if (ids.length > 0) this.publish({ kind: 'awareness', update: awarenessProtocol.encodeAwarenessUpdate(room.awareness, ids) });
    };
    room.on('update', onUpdate);
    room.on('pending', onPending);
    room.on('awareness', onAwareness);
    return () => {
      room.off('update', onUpdate);
      room.off('pending', onPending);
      room.off('awareness', onAwareness);
    };
  }

  publish(message: Outgoing): void {
    this.#send(message, false);
  }

  /** Publishes nothing more, and forgets the topic's sequence; idempotent. */
  stop(): void {
    this.#stopped = true;
    this.#tail.stop();
    this.#context.counter.forget(this.#topic);
  }

  #send(message: Outgoing, isTail: boolean): void {
    if (this.#stopped) return;
    const seq = this.#context.counter.next(this.#topic);
    const bytes = encodeClusterMessage({ ...message, sender: this.#context.id, seq });
    this.#context.pubsub.publish(this.#topic, bytes).catch((error: unknown) => {
      // Redis away: /readyz says so, receivers see the gap, and the reconnect resynchronises.
      this.#context.logger.debug({ doc: this.#name, kind: message.kind, err: error }, 'cluster: publish failed');
    });
    if (!isTail) this.#tail.noteSent();
  }
}
