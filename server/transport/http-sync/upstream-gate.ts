/**
 * The HTTP session's stand-in for a socket's pause/resume (input-pacer.ts drives it): while
 * paused, POSTed messages wait before they are handed to the room, so the client's next POST waits
 * too. That is the backpressure a WebSocket gets from not reading its socket.
 */
import type { Pausable } from '../input-pacer.js';

export class UpstreamGate implements Pausable {
  #paused = false;
  #waiters: Array<() => void> = [];

  get isPaused(): boolean {
    return this.#paused;
  }

  pause(): void {
    this.#paused = true;
  }

  resume(): void {
    this.#paused = false;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }

  /** Resolves at once when open, else on the next resume (or `release`). */
  whenOpen(): Promise<void> {
    if (!this.#paused) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** The session ended: wake everyone waiting (they check whether the session is still open). */
  release(): void {
    this.resume();
  }
}
