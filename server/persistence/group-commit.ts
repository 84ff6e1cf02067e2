/**
 * Group commit: write operations submitted by many documents while a write is in flight go to
 * the database together as the next atomic batch. Each document still has at most one write in
 * flight (its DocumentWriter serialises them), so per-document order is kept; what is shared is
 * the fixed cost of a database write, which dominates for small Yjs updates. A group is bounded
 * in bytes, so the queue can never fall far behind (the trap of y-leveldb's global queue).
 */

interface Group<Op> {
  ops: Op[];
  bytes: number;
  settle: { resolve: () => void; reject: (error: unknown) => void }[];
}

export class GroupCommitter<Op> {
  readonly #write: (ops: Op[]) => Promise<void>;
  readonly #maxGroupBytes: number;
  readonly #queue: Group<Op>[] = [];
  #inFlight = false;
  #scheduled = false;

  constructor(write: (ops: Op[]) => Promise<void>, maxGroupBytes = 16 * 1024 * 1024) {
    this.#write = write;
    this.#maxGroupBytes = maxGroupBytes;
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
    // Next check phase: every room that drains its inbox in this loop turn joins the group.
    setImmediate(() => {
      this.#scheduled = false;
      void this.#commitNext();
    });
  }

  async #commitNext(): Promise<void> {
    const group = this.#queue.shift();
    if (!group) return;
    this.#inFlight = true;
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
