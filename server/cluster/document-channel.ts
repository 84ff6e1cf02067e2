/**
 * One document's traffic between members, on its own topic (document-topic.ts): this module keeps
 * the lifecycle and notices losses; what goes out is channel-publisher.ts, and what comes in is
 * queued in the RemoteInbox and applied by remote-message-applier.ts. Our own echoes are dropped
 * on arrival.
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
import type { Logger } from 'pino';
import type { PubSub, Unsubscribe } from '../pubsub/pubsub.js';
import type { Room } from '../room/room.js';
import { tryDecodeClusterMessage, type ClusterMessage, type MemberId } from './cluster-message.js';
import type { SequenceCounter } from './sequence-counter.js';
import type { SequenceTracker } from './sequence-tracker.js';
import type { InboxQueue, RemoteInbox } from './remote-inbox.js';
import type { MalformedLog } from './malformed-log.js';
import { RemoteAwareness } from './remote-awareness.js';
import { documentTopic } from './document-topic.js';
import { SerialTask } from './serial-task.js';
import { SyncRequests } from './sync-requests.js';
import { ChannelPublisher } from './channel-publisher.js';
import { RemoteMessageApplier } from './remote-message-applier.js';

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

export class DocumentChannel {
  readonly name: string;
  readonly topic: string;
  readonly #context: ChannelContext;
  readonly #queue: InboxQueue<ClusterMessage>;
  readonly #publisher: ChannelPublisher;
  #unsubscribe: Unsubscribe | null = null;
  #room: Room | null = null;
  #presence: RemoteAwareness | null = null;
  #inbound: RemoteMessageApplier | null = null;
  #detachRoom: (() => void) | null = null;
  #closed = false;
  readonly #syncRequests: SyncRequests;
  readonly #storeCatchUp: SerialTask;

  constructor(name: string, context: ChannelContext) {
    this.name = name;
    this.topic = documentTopic(name);
    this.#context = context;
    this.#publisher = new ChannelPublisher(name, this.topic, context);
    this.#queue = context.inbox.createQueue<ClusterMessage>({
      name,
      // Before goLive the queue is paused; after close nothing is applied.
      apply: (batch, deadline) => this.#inbound?.apply(batch, deadline) ?? batch.length,
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
        if (this.#room) this.#publisher.publish({ kind: 'sync-request', requestId, stateVector: Y.encodeStateVector(this.#room.doc) });
      },
    });
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
    this.#inbound = new RemoteMessageApplier({
      name: this.name,
      room,
      presence,
      malformed: this.#context.malformed,
      publish: (message) => this.#publisher.publish(message),
      requestSync: () => this.#requestSync(),
      answered: (requestId) => this.#syncRequests.answered(requestId),
    });
    const stopPublishing = this.#publisher.publishChangesOf(room, presence);
    const onUnloading = (): void => this.close();
    room.on('unloading', onUnloading);
    this.#detachRoom = () => {
      stopPublishing();
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
    this.#publisher.stop();
    this.#detachRoom?.();
    this.#room = null;
    this.#inbound = null;
    this.#queue.close();
    this.#syncRequests.stop();
    this.#storeCatchUp.stop();
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
    if (isMembersTopicKind(message.kind)) {
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

  #requestSync(): void {
    if (this.isLive) this.#syncRequests.request();
  }
}

function isMembersTopicKind(kind: ClusterMessage['kind']): boolean {
  return kind === 'revoke' || kind === 'leave' || kind === 'delete-begin' || kind === 'delete-ack' || kind === 'delete-end';
}
