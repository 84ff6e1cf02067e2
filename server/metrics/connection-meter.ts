/**
 * What the WebSocket gateway and its peers report about connections: opens and closes (by access
 * level, by close code), and every message in and out with its payload size, which the peer
 * already has (the frame it decoded, the message it writes).
 *
 * Per message the cost is a property lookup and two additions into plain numbers (~10 ns, against
 * ~100 ns per prom-client increment, which hashes its labels each time: four of those per message
 * pair measured ~1 µs); the numbers are handed to the counters when a scrape collects. Opens and
 * closes are rare and go to prom-client directly.
 */
import type { Counter } from 'prom-client';
import { MessageType } from '../../shared/protocol.js';
import type { ClientMessage } from '../protocol/codec.js';
import type { AccessLabel, TandemMetrics } from './metrics.js';

/** Counts since the last scrape for one message type and direction. */
interface Tally {
  messages: number;
  bytes: number;
  readonly flushTo: { messages: ReturnType<Counter<'type'>['labels']>; bytes: ReturnType<Counter<'type'>['labels']> };
}

const RECEIVED_TYPES: readonly ClientMessage['kind'][] = ['sync-step1', 'sync-step2', 'sync-update', 'awareness', 'query-awareness'];

export class ConnectionMeter {
  readonly #metrics: TandemMetrics;
  readonly #received: Record<ClientMessage['kind'], Tally>;
  /** Sent sync messages, indexed by sync sub-type (SyncMessageType: step1 0, step2 1, update 2). */
  readonly #sentSync: Tally[];
  readonly #sentAwareness: Tally;
  readonly #sentSavedAck: Tally;
  readonly #sentOther: Tally;
  readonly #tallies: Tally[] = [];
  readonly #connections: Record<AccessLabel, ReturnType<TandemMetrics['connections']['labels']>>;
  /** Close codes seen so far; a handful in practice. */
  readonly #closes = new Map<number, ReturnType<TandemMetrics['closes']['labels']>>();

  constructor(metrics: TandemMetrics) {
    this.#metrics = metrics;
    const tally = (messages: Counter<'type'>, bytes: Counter<'type'>, type: string): Tally => {
      const made: Tally = { messages: 0, bytes: 0, flushTo: { messages: messages.labels(type), bytes: bytes.labels(type) } };
      this.#tallies.push(made);
      return made;
    };
    const received = (type: string): Tally => tally(metrics.messagesIn, metrics.bytesIn, type);
    const sent = (type: string): Tally => tally(metrics.messagesOut, metrics.bytesOut, type);
    this.#received = Object.fromEntries(RECEIVED_TYPES.map((kind) => [kind, received(kind)])) as Record<ClientMessage['kind'], Tally>;
    this.#sentSync = ['sync-step1', 'sync-step2', 'sync-update'].map(sent);
    this.#sentAwareness = sent('awareness');
    this.#sentSavedAck = sent('saved-ack');
    this.#sentOther = sent('other');
    this.#connections = { 'read-write': metrics.connections.labels('read-write'), 'read-only': metrics.connections.labels('read-only') };
    // Present at 0 from the start, so dashboards see the series before the first connection.
    this.#connections['read-write'].set(0);
    this.#connections['read-only'].set(0);
    metrics.onCollect(() => this.#flush());
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
    const tally = this.#received[kind];
    tally.messages++;
    tally.bytes += bytes;
  }

  sent(message: Uint8Array): void {
    // Types and sync sub-types are below 128, so each is the single byte of its varuint.
    const type = message[0];
    const tally =
      type === MessageType.sync
        ? (this.#sentSync[message[1] ?? -1] ?? this.#sentOther)
        : type === MessageType.awareness
          ? this.#sentAwareness
          : type === MessageType.savedAck
            ? this.#sentSavedAck
            : this.#sentOther;
    tally.messages++;
    tally.bytes += message.length;
  }

  savedAckLatency(seconds: number): void {
    this.#metrics.savedAckSeconds.observe(seconds);
  }

  #flush(): void {
    for (const tally of this.#tallies) {
      if (tally.messages === 0) continue;
      tally.flushTo.messages.inc(tally.messages);
      tally.flushTo.bytes.inc(tally.bytes);
      tally.messages = 0;
      tally.bytes = 0;
    }
  }
}
