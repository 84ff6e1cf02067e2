/**
 * Group commit: write operations submitted by many documents while a write is in flight go to
 * the database together as the next atomic batch. Each document still has at most one write in
 * flight (its DocumentWriter serialises them), so per-document order is kept; what is shared is
 * the fixed cost of a database write, which dominates for small Yjs updates. A group is bounded
 * in bytes, so the queue can never fall far behind (the trap of y-leveldb's global queue).
 *
 * Commits can be spaced (`minIntervalMs`): a write that follows the previous one closely waits
 * until that much time has passed since the previous started, gathering what arrives meanwhile.
 * A LevelDB batch costs ~60 µs of CPU however small it is (a thread hand-off and a log append),
 * and an unspaced committer under steady load writes almost every edit alone (the previous batch
 * is done before the next edit arrives). A lone write after a quiet spell goes at once.
 */

interface Group<Op> {
  ops: Op[];
  bytes: number;
  settle: { resolve: () => void; reject: (error: unknown) => void }[];
}

export interface GroupCommitOptions {
  /** A group closes once it holds this many bytes (the next submission starts another). */
  maxGroupBytes?: number;
  /** Least time between the starts of two writes (0: the next turn after the previous ends). */
  minIntervalMs?: number;
}

export class GroupCommitter<Op> {
  readonly #write: (ops: Op[]) => Promise<void>;
  readonly #maxGroupBytes: number;
  readonly #minIntervalMs: number;
  readonly #queue: Group<Op>[] = [];
  #inFlight = false;
  #scheduled = false;
  #lastStartedAt = -Infinity;

  constructor(write: (ops: Op[]) => Promise<void>, options: GroupCommitOptions = {}) {
    this.#write = write;
    this.#maxGroupBytes = options.maxGroupBytes ?? 16 * 1024 * 1024;
    this.#minIntervalMs = options.minIntervalMs ?? 0;
  }

  /** Resolves once `ops` are durably written (atomically, together with their group). */
  submit(ops: Op[], bytes: number): Promise<void> {
    return new Promise((resolve, reject) => {
      let group = this.#queue[this.#queue.length - 1];
      if (!group || (group.bytes > 0 && group.bytes + bytes > this.#maxGroupBytes)) {
        group = { ops: [], bytes: 0, settle: [] };
        this.#queue.push(group);
      }
      for (const op of ops) group.ops.push(op);
      group.bytes += bytes;
      group.settle.push({ resolve, reject });
      this.#schedule();
    });
  }

  /** Resolves when nothing is queued or in flight. */
  async drain(): Promise<void> {
    while (this.#inFlight || this.#queue.length > 0) {
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  #schedule(): void {
    if (this.#inFlight || this.#scheduled) return;
    this.#scheduled = true;
    const wait = this.#lastStartedAt + this.#minIntervalMs - performance.now();
    // Next check phase at the soonest: every room that drains its inbox in this loop turn joins
    // the group. A full group does not wait for the interval.
    if (wait <= 0 || this.#queue.length > 1) setImmediate(this.#commitScheduled);
    else setTimeout(this.#commitScheduled, wait);
  }

  readonly #commitScheduled = (): void => {
    this.#scheduled = false;
    void this.#commitNext();
  };

  async #commitNext(): Promise<void> {
    const group = this.#queue.shift();
    if (!group) return;
    this.#inFlight = true;
    this.#lastStartedAt = performance.now();
    try {
      await this.#write(group.ops);
      for (const { resolve } of group.settle) resolve();
    } catch (error) {
      for (const { reject } of group.settle) reject(error);
    } finally {
      this.#inFlight = false;
      if (this.#queue.length > 0) this.#schedule();
    }
  }
}
