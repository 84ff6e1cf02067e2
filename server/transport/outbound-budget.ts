/**
 * The process-wide cap on unsent bytes (--max-total-buffered-bytes). Each peer reports its unsent
 * bytes (ws's bufferedAmount: what Node still holds for its socket) after every write; when the
 * total is over the budget, the peers holding the most are shed until it fits again.
 *
 * Bookkeeping stays off the hot path: a peer is tracked only once it is BEHIND_BYTES behind, so
 * peers that keep up cost one comparison per write. Between a peer's writes its count can only
 * fall (the socket drains; only writes add), so the running total is an upper bound; when it
 * crosses the budget, the tracked peers are recounted exactly before anyone is shed. What is not
 * tracked is under BEHIND_BYTES per connection.
 *
 * A shed peer is dropped at once rather than sent a close frame and awaited: the frame would
 * queue behind the very bytes it is not reading, and the process would stay over budget meanwhile.
 */

/** What the budget needs from a peer. */
export interface BudgetedPeer {
  /** Bytes queued for the client and not yet handed to the kernel. */
  readonly unsentBytes: number;
  /** Drops the connection now (its queued bytes are released), logging why. */
  shed(unsentBytes: number): void;
}

/** Node's default socket high-water mark: past it, `write()` already says the socket is behind. */
export const BEHIND_BYTES = 16 * 1024;

export class OutboundBudget {
  readonly #maxBytes: number;
  /** Peers at least BEHIND_BYTES behind at their last write, with that count. */
  readonly #behind = new Map<BudgetedPeer, number>();
  #total = 0;

  constructor(options: { maxBytes: number }) {
    this.#maxBytes = options.maxBytes;
  }

  /** After a write to `peer`, with its unsent bytes now. */
  noteWrite(peer: BudgetedPeer, unsentBytes: number): void {
    if (unsentBytes < BEHIND_BYTES) {
      // The usual case: keeping up, and nobody is behind.
      if (this.#behind.size !== 0) this.forget(peer);
      return;
    }
    this.#total += unsentBytes - (this.#behind.get(peer) ?? 0);
    this.#behind.set(peer, unsentBytes);
    if (this.#total > this.#maxBytes) this.#enforce();
  }

  /** The peer's connection has closed (or it caught up): stop counting it. */
  forget(peer: BudgetedPeer): void {
    const counted = this.#behind.get(peer);
    if (counted === undefined) return;
    this.#behind.delete(peer);
    this.#total -= counted;
  }

  #enforce(): void {
    this.#total = 0;
    for (const peer of this.#behind.keys()) {
      const unsent = peer.unsentBytes;
      if (unsent < BEHIND_BYTES) {
        this.#behind.delete(peer);
        continue;
      }
      this.#behind.set(peer, unsent);
      this.#total += unsent;
    }
    if (this.#total <= this.#maxBytes) return;
    const biggestFirst = [...this.#behind].sort((a, b) => b[1] - a[1]);
    for (const [peer, unsent] of biggestFirst) {
      if (this.#total <= this.#maxBytes) break;
      this.forget(peer);
      peer.shed(unsent);
    }
  }
}
