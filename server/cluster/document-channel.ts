/**
 * One document's traffic between members, on its own topic (document-topic.ts).
 *
 * Out: this member's edits (client, lease and untagged updates, and client updates Yjs holds
 * pending) and its clients' presence. In: other members' messages, queued in the RemoteInbox and
 * applied in bounded batches: updates as one transaction tagged {source:'pubsub'} (broadcast to
 * our clients, never stored nor published again), presence through RemoteAwareness, sync
 * requests answered with only what the requester's state vector lacks, replies addressed to us
 * applied as {source:'catch-up'}. Our own echoes are dropped on arrival.
 *
 * Lifecycle: subscribe, then (the caller) load, then `goLive`: a sync request with our state
 * vector, so whatever the members holding the document have and the store did not is sent to us.
 * Messages arriving during the load wait in the (paused) queue.
 *
 * Losses (pub/sub delivers at most once) are noticed by per-sender sequence numbers: a gap, or a
 * first message from a sender once live, resynchronises: a state-vector exchange, plus a catch-up
 * from the store for what a member that died meanwhile had stored. A loss of a sender's last
 * message would show no gap, so after publishing a member sends up to three `heartbeat`s on the
 * topic (200 ms, 1 s, 3 s after its last message): a lost tail shows up as their seq jumping.
 * A sync request nobody answers is sent again (up to `syncAttempts` times).
 */
import * as Y from 'yjs';
import * as awarenessProtocol from 'y-protocols/awareness';
import type { Logger } from 'pino';
import type { PubSub, Unsubscribe } from '../pubsub/pubsub.js';
import type { Room } from '../room/room.js';
import type { RoomEvents } from '../room/room-events.js';
import type { UpdateOrigin } from '../room/room-peer.js';
import { encodeClusterMessage, tryDecodeClusterMessage, type ClusterMessage, type MemberId } from './cluster-message.js';
import type { SequenceCounter } from './sequence-counter.js';
import type { SequenceTracker } from './sequence-tracker.js';
import type { InboxQueue, RemoteInbox } from './remote-inbox.js';
import type { MalformedLog } from './malformed-log.js';
import { RemoteAwareness } from './remote-awareness.js';
import { documentTopic } from './document-topic.js';
import { SerialTask } from './serial-task.js';
import { SyncRequests } from './sync-requests.js';
import { TailHeartbeats } from './tail-heartbeats.js';

export interface ChannelContext {
  id: MemberId;
  pubsub: PubSub;
  counter: SequenceCounter;
  tracker: SequenceTracker;
  inbox: RemoteInbox;
  logger: Logger;
  malformed: MalformedLog;
  catchUpFromStore: (name: string, doc: Y.Doc) => Promise<void>;
  /** Delays after our last message at which tail heartbeats go out. */
  tailDelaysMs: readonly number[];
  /** A sync request unanswered this long is sent again. */
  syncRetryMs: number;
  syncAttempts: number;
}

type Outgoing = DistributiveOmit<ClusterMessage, 'sender' | 'seq'>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

const PUBSUB_ORIGIN: UpdateOrigin = Object.freeze({ source: 'pubsub' });
const CATCH_UP_ORIGIN: UpdateOrigin = Object.freeze({ source: 'catch-up' });

export class DocumentChannel {
  readonly name: string;
  readonly topic: string;
  readonly #context: ChannelContext;
  readonly #queue: InboxQueue<ClusterMessage>;
  #unsubscribe: Unsubscribe | null = null;
  #room: Room | null = null;
  #presence: RemoteAwareness | null = null;
  #detachRoom: (() => void) | null = null;
  #closed = false;
  readonly #syncRequests: SyncRequests;
  readonly #storeCatchUp: SerialTask;
  readonly #tail: TailHeartbeats;

  constructor(name: string, context: ChannelContext) {
    this.name = name;
    this.topic = documentTopic(name);
    this.#context = context;
    this.#queue = context.inbox.createQueue<ClusterMessage>({
      name,
      apply: (batch, deadline) => this.#apply(batch, deadline),
      onOverflow: () => this.resync({ store: true }),
    });
    this.#queue.pause();
    this.#storeCatchUp = new SerialTask(
      async () => {
        const room = this.#room;
        if (room && !room.isDestroyed) await context.catchUpFromStore(name, room.doc);
      },
      (error) => context.logger.warn({ doc: name, err: error }, 'cluster: catching up from the store failed'),
    );
    this.#syncRequests = new SyncRequests({
      retryMs: context.syncRetryMs,
      attempts: context.syncAttempts,
      send: (requestId) => {
        if (this.#room) this.#publish({ kind: 'sync-request', requestId, stateVector: Y.encodeStateVector(this.#room.doc) });
      },
    });
    this.#tail = new TailHeartbeats(context.tailDelaysMs, () => this.#publish({ kind: 'heartbeat' }, true));
  }

  get isSubscribed(): boolean {
    return this.#unsubscribe !== null;
  }

  get isLive(): boolean {
    return this.#room !== null && !this.#closed;
  }

  /** Subscribes to the topic; false (logged) when the broker is away: the reconnect retries. */
  async subscribe(): Promise<boolean> {
    if (this.#unsubscribe || this.#closed) return true;
    try {
      const unsubscribe = await this.#context.pubsub.subscribe(this.topic, (payload) => this.#receive(payload));
      if (this.#closed) void unsubscribe();
      else this.#unsubscribe = unsubscribe;
      return true;
    } catch (error) {
      this.#context.logger.warn({ doc: this.name, err: error }, 'cluster: could not subscribe to the document; retrying after reconnect');
      return false;
    }
  }

  /** The room is loaded: wire it up, apply what waited, and ask the other members for what we lack. */
  goLive(room: Room): void {
    if (this.#closed) return;
    this.#room = room;
    const presence = new RemoteAwareness(room.awareness);
    this.#presence = presence;
    const onUpdate: RoomEvents['update'] = (update, origin) => {
      if (origin === null || origin.source === 'client' || origin.source === 'lease') this.#publish({ kind: 'update', update });
    };
    const onPending: RoomEvents['pending'] = (update) => this.#publish({ kind: 'update', update });
    const onAwareness: RoomEvents['awareness'] = (change, origin) => {
      const ids = presence.observe(change, origin);
      if (ids.length > 0) this.#publish({ kind: 'awareness', update: awarenessProtocol.encodeAwarenessUpdate(room.awareness, ids) });
    };
    const onUnloading = (): void => this.close();
    room.on('update', onUpdate);
    room.on('pending', onPending);
    room.on('awareness', onAwareness);
    room.on('unloading', onUnloading);
    this.#detachRoom = () => {
      room.off('update', onUpdate);
      room.off('pending', onPending);
      room.off('awareness', onAwareness);
      room.off('unloading', onUnloading);
    };
    this.#queue.resume();
    this.#requestSync();
  }

  /**
   * Something may have been lost: exchange state vectors, and with `store` also read what the
   * store holds. Before going live nothing is needed: goLive syncs anyway.
   */
  resync({ store }: { store: boolean }): void {
    if (!this.isLive) return;
    this.#requestSync();
    if (store) this.#storeCatchUp.request();
  }

  /** After a pub/sub reconnect: subscribe if that had failed, then resynchronise everything. */
  async reconnected(): Promise<void> {
    if (!(await this.subscribe())) return;
    this.resync({ store: true });
  }

  /** A member left or timed out: its clients' presence goes. */
  removeMember(member: MemberId): void {
    this.#presence?.removeMember(member);
  }

  /** Unsubscribes and forgets; idempotent. Called when the room unloads. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#detachRoom?.();
    this.#room = null;
    this.#queue.close();
    this.#syncRequests.stop();
    this.#tail.stop();
    this.#storeCatchUp.stop();
    this.#context.counter.forget(this.topic);
    this.#context.tracker.forgetTopic(this.topic);
    const unsubscribe = this.#unsubscribe;
    this.#unsubscribe = null;
    unsubscribe?.().catch((error: unknown) => this.#context.logger.warn({ doc: this.name, err: error }, 'cluster: unsubscribe failed'));
  }

  #receive(payload: Uint8Array): void {
    if (this.#closed) return;
    const decoded = tryDecodeClusterMessage(payload);
    if (!decoded.ok) {
      this.#context.malformed.report({ doc: this.name, code: decoded.error.code }, decoded.error.message);
      return;
    }
    const message = decoded.message;
    if (message.sender === this.#context.id) return;
    if (message.kind === 'revoke' || message.kind === 'leave') {
      this.#context.malformed.report({ doc: this.name, kind: message.kind }, 'members-topic message on a document topic');
      return;
    }
    const verdict = this.#context.tracker.observe(this.topic, message.sender, message.seq);
    if (verdict === 'duplicate') return;
    const isForUs = message.kind === 'sync-reply' && message.to === this.#context.id;
    // A sync request carries its sender's whole state (its vector), a reply to us what we lacked:
    // neither needs a resync however much went missing before it.
    const isComplete = message.kind === 'sync-request' || isForUs;
    if (this.isLive && !isComplete && (verdict === 'gap' || verdict === 'first')) {
      this.#context.logger.debug({ doc: this.name, member: message.sender, verdict }, 'cluster: resynchronising');
      this.resync({ store: true });
    }
    if (message.kind === 'heartbeat' || (message.kind === 'sync-reply' && !isForUs)) return;
    this.#queue.push(message, payload.length);
  }

  /** Applies messages in order until `deadline`; returns how many (remote-inbox.ts). */
  #apply(batch: ClusterMessage[], deadline: number): number {
    const room = this.#room;
    if (!room || room.isDestroyed) return batch.length;
    const doc = room.doc;
    let next = 0;
    while (next < batch.length) {
      const message = batch[next]!;
      if (message.kind === 'update') {
        // A run of updates is one transaction: one broadcast to our clients.
        doc.transact(() => {
          do {
            this.#applyUpdate(doc, batch[next++]!, PUBSUB_ORIGIN);
          } while (next < batch.length && batch[next]!.kind === 'update' && performance.now() < deadline);
        }, PUBSUB_ORIGIN);
      } else {
        next++;
        this.#applyControl(room, message);
      }
      if (performance.now() >= deadline) break;
    }
    return next;
  }

  #applyControl(room: Room, message: ClusterMessage): void {
    switch (message.kind) {
      case 'awareness':
        try {
          this.#presence?.apply(message.update, message.sender);
        } catch (error) {
          this.#context.malformed.report({ doc: this.name, member: message.sender, kind: 'awareness' }, String(error));
        }
        return;
      case 'sync-request':
        this.#answer(room, message.sender, message.requestId, message.stateVector);
        return;
      case 'sync-reply':
        room.doc.transact(() => this.#applyUpdate(room.doc, message, CATCH_UP_ORIGIN), CATCH_UP_ORIGIN);
        this.#syncRequests.answered(message.requestId);
        return;
      default:
        return;
    }
  }

  /** A bad update (a foreign publisher, a bug) is logged and skipped. */
  #applyUpdate(doc: Y.Doc, message: ClusterMessage, origin: UpdateOrigin): void {
    try {
      Y.applyUpdate(doc, (message as { update: Uint8Array }).update, origin);
    } catch (error) {
      this.#context.malformed.report({ doc: this.name, member: message.sender, kind: message.kind }, String(error));
    }
  }

  /** Sends the requester what its state vector lacks and our clients' presence; asks back if it has more. */
  #answer(room: Room, requester: MemberId, requestId: number, stateVector: Uint8Array): void {
    const doc = room.doc;
    let theirs: Map<number, number>;
    let update: Uint8Array;
    try {
      theirs = Y.decodeStateVector(stateVector);
      update = Y.encodeStateAsUpdate(doc, stateVector);
    } catch (error) {
      this.#context.malformed.report({ doc: this.name, member: requester, kind: 'sync-request' }, String(error));
      return;
    }
    this.#publish({ kind: 'sync-reply', to: requester, requestId, update });
    const local = this.#presence?.localIds() ?? [];
    if (local.length > 0) this.#publish({ kind: 'awareness', update: awarenessProtocol.encodeAwarenessUpdate(room.awareness, local) });
    for (const [client, clock] of theirs) {
      if (clock > Y.getState(doc.store, client)) {
        this.#requestSync();
        return;
      }
    }
  }

  #requestSync(): void {
    if (this.isLive) this.#syncRequests.request();
  }

  #publish(message: Outgoing, isTail = false): void {
    if (this.#closed) return;
    const seq = this.#context.counter.next(this.topic);
    const bytes = encodeClusterMessage({ ...message, sender: this.#context.id, seq });
    this.#context.pubsub.publish(this.topic, bytes).catch((error: unknown) => {
      // Redis away: /readyz says so, receivers see the gap, and the reconnect resynchronises.
      this.#context.logger.debug({ doc: this.name, kind: message.kind, err: error }, 'cluster: publish failed');
    });
    if (!isTail) this.#tail.noteSent();
  }
}
