/**
 * Who else is in the cluster, on MEMBERS_TOPIC: every member publishes a heartbeat every
 * `heartbeatMs`, and `leave` when it stops. A member not heard from for `memberTimeoutMs` is
 * declared gone (checked every `heartbeatMs`), so what it left behind (its clients' cursors) is
 * removed at most `memberTimeoutMs + heartbeatMs` after its last heartbeat arrived; a `leave`
 * removes it at once. While our own pub/sub connection is down we cannot hear anyone, so nobody
 * is declared gone then, and every member gets a fresh `memberTimeoutMs` once we are back.
 *
 * Revocations travel here too. Pub/sub may lose one, so each is published again with the next
 * two heartbeats; applying one twice changes nothing. So do document deletes (cluster-deletes.ts),
 * which this module only carries.
 */
import type { Logger } from 'pino';
import type { PubSub, Unsubscribe } from '../pubsub/pubsub.js';
import { encodeClusterMessage, tryDecodeClusterMessage, type ClusterMessage, type ClusterRevocation, type MemberId } from './cluster-message.js';
import type { SequenceCounter } from './sequence-counter.js';
import type { MalformedLog } from './malformed-log.js';
import { MEMBERS_TOPIC } from './document-topic.js';

export interface MemberLivenessOptions {
  id: MemberId;
  pubsub: PubSub;
  counter: SequenceCounter;
  logger: Logger;
  malformed: MalformedLog;
  heartbeatMs: number;
  memberTimeoutMs: number;
  /** A member left or timed out. */
  onMemberGone: (id: MemberId, why: 'leave' | 'timeout') => void;
  /** Another member published a revocation. */
  onRevocation: (revocation: ClusterRevocation) => void;
  /** Another member published a delete-begin, delete-ack or delete-end. */
  onDeleteMessage?: (message: DeleteMessage) => void;
  now?: () => number;
}

export type DeleteMessage = Extract<ClusterMessage, { kind: 'delete-begin' | 'delete-ack' | 'delete-end' }>;
type DeleteMessageBody = DeleteMessage extends infer M ? (M extends DeleteMessage ? Omit<M, 'sender' | 'seq'> : never) : never;

const REVOCATION_REPEATS = 2;

export class MemberLiveness {
  readonly #options: MemberLivenessOptions;
  readonly #now: () => number;
  /** Last time each other member was heard from. */
  readonly #lastHeard = new Map<MemberId, number>();
  #repeats: { revocation: ClusterRevocation; left: number }[] = [];
  #timer: NodeJS.Timeout | null = null;
  #unsubscribe: Unsubscribe | null = null;
  #closed = false;

  constructor(options: MemberLivenessOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** Subscribes, announces this member and starts the heartbeat. */
  async start(): Promise<void> {
    this.#unsubscribe = await this.#options.pubsub.subscribe(MEMBERS_TOPIC, (payload) => this.#receive(payload));
    this.#timer = setInterval(() => this.#tick(), this.#options.heartbeatMs);
    this.#timer.unref();
    this.#publishQuietly({ kind: 'heartbeat' });
  }

  /** Members heard from within the timeout (not this one). */
  get members(): MemberId[] {
    return [...this.#lastHeard.keys()];
  }

  /** After a pub/sub reconnect: nobody could be heard meanwhile, so everyone gets a fresh timeout. */
  restartTimeouts(): void {
    const now = this.#now();
    for (const id of this.#lastHeard.keys()) this.#lastHeard.set(id, now);
  }

  /** Rejects when the revocation could not be handed to the broker (then no member but this one has it). */
  async publishRevocation(revocation: ClusterRevocation): Promise<void> {
    await this.#publish({ kind: 'revoke', revocation });
    this.#repeats.push({ revocation, left: REVOCATION_REPEATS });
  }

  /** Rejects when the broker did not take it. */
  publishDeleteMessage(message: DeleteMessageBody): Promise<void> {
    return this.#publish(message);
  }

  /** Tells the others we are gone (best effort), then stops. Idempotent. */
  async leave(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    try {
      await this.#publish({ kind: 'leave' });
    } catch (error) {
      this.#options.logger.debug({ err: error }, 'cluster: leave not published; the others time this member out');
    }
    await this.#unsubscribe?.();
  }

  #tick(): void {
    const repeats = this.#repeats;
    this.#repeats = [];
    for (const entry of repeats) {
      this.#publishQuietly({ kind: 'revoke', revocation: entry.revocation });
      if (--entry.left > 0) this.#repeats.push(entry);
    }
    this.#publishQuietly({ kind: 'heartbeat' });
    if (!this.#options.pubsub.isHealthy) return;
    const deadline = this.#now() - this.#options.memberTimeoutMs;
    for (const [id, heard] of this.#lastHeard) {
      if (heard < deadline) this.#gone(id, 'timeout');
    }
  }

  #receive(payload: Uint8Array): void {
    const decoded = tryDecodeClusterMessage(payload);
    if (!decoded.ok) {
      this.#options.malformed.report({ topic: MEMBERS_TOPIC, code: decoded.error.code }, decoded.error.message);
      return;
    }
    const message = decoded.message;
    if (message.sender === this.#options.id || this.#closed) return;
    switch (message.kind) {
      case 'heartbeat':
        this.#heard(message.sender);
        return;
      case 'revoke':
        this.#heard(message.sender);
        this.#options.onRevocation(message.revocation);
        return;
      case 'leave':
        if (this.#lastHeard.has(message.sender)) this.#gone(message.sender, 'leave');
        return;
      case 'delete-begin':
      case 'delete-ack':
      case 'delete-end':
        this.#heard(message.sender);
        this.#options.onDeleteMessage?.(message);
        return;
      default:
        this.#options.malformed.report({ topic: MEMBERS_TOPIC, kind: message.kind }, 'document message on the members topic');
    }
  }

  #heard(id: MemberId): void {
    if (!this.#lastHeard.has(id)) this.#options.logger.info({ member: id }, 'cluster: member joined');
    this.#lastHeard.set(id, this.#now());
  }

  #gone(id: MemberId, why: 'leave' | 'timeout'): void {
    this.#lastHeard.delete(id);
    this.#options.logger.info({ member: id, why }, 'cluster: member gone');
    this.#options.onMemberGone(id, why);
  }

  #publish(message: { kind: 'heartbeat' } | { kind: 'leave' } | { kind: 'revoke'; revocation: ClusterRevocation } | DeleteMessageBody): Promise<void> {
    const seq = this.#options.counter.next(MEMBERS_TOPIC);
    return this.#options.pubsub.publish(MEMBERS_TOPIC, encodeClusterMessage({ ...message, sender: this.#options.id, seq }));
  }

  #publishQuietly(message: { kind: 'heartbeat' } | { kind: 'revoke'; revocation: ClusterRevocation }): void {
    this.#publish(message).catch((error: unknown) => {
      // Redis away: /readyz reports it, and the reconnect resynchronises; one line per tick is enough.
      this.#options.logger.debug({ err: error, kind: message.kind }, 'cluster: publish on the members topic failed');
    });
  }
}
