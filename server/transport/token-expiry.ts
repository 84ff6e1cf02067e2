/**
 * Ends connections when their tokens expire, with one timer for all of them: connections wait in a
 * min-heap by expiry time and the timer is armed for the earliest. A timer per connection cost
 * about 400 bytes per idle authenticated connection (the Timeout, a Node timer list per distinct
 * duration, the callback closures and their scopes); an entry here is one small object and a
 * slot in the heap. Shared by the WebSocket gateway and the HTTP fallback sessions.
 *
 * A connection is ended when the clock has reached its expiry, never before: setTimeout fires at
 * once beyond 2^31-1 ms (~24.8 days), so a far expiry is reached in steps, and a timer that fires
 * early (or was armed for an entry since cancelled) only re-arms.
 */
import type { Logger } from 'pino';
import { CloseCode, type CloseCodeValue } from '../../shared/protocol.js';
import { systemClock, type Clock } from '../clock.js';

const MAX_TIMER_MS = 2 ** 31 - 1;

/** A connection of either transport, as an expiry ends it. */
export interface ExpiringConnection {
  readonly log: Logger;
  close(code: CloseCodeValue, reason: string): void;
}

/** What both transports do when a connection's token expires: one log line, then 4408. */
export function closeForExpiredToken(connection: ExpiringConnection): void {
  connection.log.info({ code: CloseCode.tokenExpired }, 'token expired; closing connection');
  connection.close(CloseCode.tokenExpired, 'token expired');
}

/** A waiting expiry, kept by its connection's session record so that a close can cancel it. */
export interface ExpiryEntry {
  /** Milliseconds since the epoch. */
  readonly at: number;
}

interface Entry<T> extends ExpiryEntry {
  readonly item: T;
  /** Position in the heap; -1 once expired or cancelled. */
  index: number;
}

export class TokenExpiries<T> {
  readonly #onExpired: (item: T) => void;
  readonly #clock: Clock;
  readonly #heap: Entry<T>[] = [];
  #cancelTimer: (() => void) | null = null;
  /** When the armed timer fires; Infinity when none is armed. */
  #armedFor = Number.POSITIVE_INFINITY;

  /** `onExpired(item)` runs once for each item whose expiry is reached while it is waiting. */
  constructor(onExpired: (item: T) => void, clock: Clock = systemClock) {
    this.#onExpired = onExpired;
    this.#clock = clock;
  }

  /** Connections waiting for their expiry. */
  get size(): number {
    return this.#heap.length;
  }

  /** Ends `item` at `expiresAt` (ms since the epoch) unless cancelled first. */
  add(item: T, expiresAt: number): ExpiryEntry {
    const entry: Entry<T> = { item, at: expiresAt, index: this.#heap.length };
    this.#heap.push(entry);
    this.#up(entry.index);
    if (expiresAt < this.#armedFor) this.#arm();
    return entry;
  }

  /** The connection closed first: it will not be ended. Idempotent. */
  cancel(handle: ExpiryEntry): void {
    const entry = handle as Entry<T>;
    if (entry.index < 0) return;
    this.#removeAt(entry.index);
    // The timer stays armed for a cancelled earliest entry; it re-arms when it fires. With no
    // entry left, it goes: nothing waits for it.
    if (this.#heap.length === 0) this.#disarm();
  }

  #fire(): void {
    this.#cancelTimer = null;
    this.#armedFor = Number.POSITIVE_INFINITY;
    const now = this.#clock.now();
    // Read the root each time: a callback may cancel (or add) entries.
    for (let first = this.#heap[0]; first !== undefined && first.at <= now; first = this.#heap[0]) {
      this.#removeAt(0);
      this.#onExpired(first.item);
    }
    if (this.#heap.length > 0 && this.#cancelTimer === null) this.#arm();
  }

  #arm(): void {
    this.#disarm();
    const first = this.#heap[0];
    if (first === undefined) return;
    const delay = Math.max(0, Math.min(first.at - this.#clock.now(), MAX_TIMER_MS));
    this.#armedFor = first.at;
    this.#cancelTimer = this.#clock.setTimer(() => this.#fire(), delay);
  }

  #disarm(): void {
    this.#cancelTimer?.();
    this.#cancelTimer = null;
    this.#armedFor = Number.POSITIVE_INFINITY;
  }

  #removeAt(index: number): void {
    const heap = this.#heap;
    const removed = heap[index]!;
    removed.index = -1;
    const last = heap.pop()!;
    if (last === removed) return;
    heap[index] = last;
    last.index = index;
    this.#down(index);
    this.#up(last.index);
  }

  #up(index: number): void {
    const heap = this.#heap;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (heap[parent]!.at <= heap[index]!.at) return;
      this.#swap(index, parent);
      index = parent;
    }
  }

  #down(index: number): void {
    const heap = this.#heap;
    for (;;) {
      const left = 2 * index + 1;
      const right = left + 1;
      let smallest = index;
      if (left < heap.length && heap[left]!.at < heap[smallest]!.at) smallest = left;
      if (right < heap.length && heap[right]!.at < heap[smallest]!.at) smallest = right;
      if (smallest === index) return;
      this.#swap(index, smallest);
      index = smallest;
    }
  }

  #swap(a: number, b: number): void {
    const heap = this.#heap;
    const entryA = heap[a]!;
    const entryB = heap[b]!;
    heap[a] = entryB;
    heap[b] = entryA;
    entryA.index = b;
    entryB.index = a;
  }
}
