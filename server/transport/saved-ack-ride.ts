/**
 * A saved ack `[100, n]` waiting for a ride. The room says when an ack is due (room/saved-acks.ts);
 * this decides when it leaves. Sent at once, every edit's ack cost a socket write of its own
 * (~10-15 µs of CPU on loopback, about 7 % of the server's CPU per edit in the closed-loop
 * benchmark), while a writer in a shared document gets the others' edits a millisecond or two
 * later anyway. So a due ack waits for the next message written to its peer and leaves first in
 * that same write; if nothing is written within ACK_RIDE_MS it leaves alone. Acks due before it
 * leaves merge: only the highest count goes.
 *
 * Made when an ack starts waiting, with at most one timer, cleared when it leaves or the
 * connection goes; the WebSocket peer then drops it too (peer-output.ts).
 */
import { encodeSavedAck } from '../protocol/codec.js';

/**
 * Longest wait for a ride. Long enough to cover the relay of the next edit in a document being
 * edited by several people (1-2 ms in the benchmark), short enough that a lone typist's "All
 * changes saved" comes no later than anyone could see (a frame of a screen is 16 ms).
 */
export const ACK_RIDE_MS = 5;

export class WaitingSavedAck<T> {
  /** Highest count due and not yet written; 0: none waits. */
  #count = 0;
  #timer: NodeJS.Timeout | null = null;
  readonly #sendAlone: (target: T) => void;
  readonly #target: T;

  /** `sendAlone(target)` runs when an ack has waited ACK_RIDE_MS without a ride; it should take() and write it. */
  constructor(sendAlone: (target: T) => void, target: T) {
    this.#sendAlone = sendAlone;
    this.#target = target;
  }

  /** The first `count` update-bearing messages are durable: acknowledge them with the next write, or alone after `rideMs`. */
  wait(count: number, rideMs = ACK_RIDE_MS): void {
    if (count <= this.#count) return;
    this.#count = count;
    this.#timer ??= setTimeout(this.#sendAlone, rideMs, this.#target);
  }

  /** The ack due, encoded, for the write about to happen (its timer stops); null when none waits. */
  take(): Uint8Array | null {
    if (this.#count === 0) return null;
    const ack = encodeSavedAck(this.#count);
    this.drop();
    return ack;
  }

  /** Stops the timer and forgets the count (the connection is gone, or the ack was taken). */
  drop(): void {
    this.#count = 0;
    if (this.#timer === null) return;
    clearTimeout(this.#timer);
    this.#timer = null;
  }
}
