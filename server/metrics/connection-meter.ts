/**
 * What the WebSocket gateway and its peers report about connections: opens and closes (by access
 * level, by close code), and every message in and out with its payload size, which the peer
 * already has (the frame it decoded, the message it writes). Label children are bound once here:
 * per message the cost is a property lookup and two additions.
 */
import type { Counter } from 'prom-client';
import { MessageType } from '../../shared/protocol.js';
import type { ClientMessage } from '../protocol/codec.js';
import type { AccessLabel, TandemMetrics } from './metrics.js';

type Child = ReturnType<Counter<'type'>['labels']>;

interface TypeCounters {
  messages: Child;
  bytes: Child;
}

const RECEIVED_TYPES: readonly ClientMessage['kind'][] = ['sync-step1', 'sync-step2', 'sync-update', 'awareness', 'query-awareness'];

export class ConnectionMeter {
  readonly #metrics: TandemMetrics;
  readonly #received: Record<ClientMessage['kind'], TypeCounters>;
  /** Sent messages by their first byte (and the sync sub-type byte). */
  readonly #sentSync: TypeCounters[];
  readonly #sentAwareness: TypeCounters;
  readonly #sentSavedAck: TypeCounters;
  readonly #sentOther: TypeCounters;
  readonly #connections: Record<AccessLabel, ReturnType<TandemMetrics['connections']['labels']>>;
  /** Close codes seen so far; a handful in practice. */
  readonly #closes = new Map<number, ReturnType<TandemMetrics['closes']['labels']>>();

  constructor(metrics: TandemMetrics) {
    this.#metrics = metrics;
    const bind = (messages: Counter<'type'>, bytes: Counter<'type'>, type: string): TypeCounters => ({
      messages: messages.labels(type),
      bytes: bytes.labels(type),
    });
    const received = (type: string): TypeCounters => bind(metrics.messagesIn, metrics.bytesIn, type);
    const sent = (type: string): TypeCounters => bind(metrics.messagesOut, metrics.bytesOut, type);
    this.#received = Object.fromEntries(RECEIVED_TYPES.map((kind) => [kind, received(kind)])) as Record<ClientMessage['kind'], TypeCounters>;
    // Indexed by sync sub-type: SyncMessageType step1 0, step2 1, update 2.
    this.#sentSync = ['sync-step1', 'sync-step2', 'sync-update'].map(sent);
    this.#sentAwareness = sent('awareness');
    this.#sentSavedAck = sent('saved-ack');
    this.#sentOther = sent('other');
    this.#connections = { 'read-write': metrics.connections.labels('read-write'), 'read-only': metrics.connections.labels('read-only') };
    // Present at 0 from the start, so a dashboard's rate() has a first sample.
    this.#connections['read-write'].set(0);
    this.#connections['read-only'].set(0);
  }

  opened(canWrite: boolean): void {
    this.#connections[canWrite ? 'read-write' : 'read-only'].inc();
  }

  closed(canWrite: boolean, code: number): void {
    this.#connections[canWrite ? 'read-write' : 'read-only'].dec();
    let child = this.#closes.get(code);
    if (!child) {
      child = this.#metrics.closes.labels(String(code));
      this.#closes.set(code, child);
    }
    child.inc();
  }

  received(kind: ClientMessage['kind'], bytes: number): void {
    const counters = this.#received[kind];
    counters.messages.inc();
    counters.bytes.inc(bytes);
  }

  sent(message: Uint8Array): void {
    // Types and sync sub-types are below 128, so each is the single byte of its varuint.
    const type = message[0];
    const counters =
      type === MessageType.sync
        ? (this.#sentSync[message[1] ?? -1] ?? this.#sentOther)
        : type === MessageType.awareness
          ? this.#sentAwareness
          : type === MessageType.savedAck
            ? this.#sentSavedAck
            : this.#sentOther;
    counters.messages.inc();
    counters.bytes.inc(message.length);
  }

  savedAckLatency(seconds: number): void {
    this.#metrics.savedAckSeconds.observe(seconds);
  }
}
