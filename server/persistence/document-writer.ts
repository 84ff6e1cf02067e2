/**
 * One document's write queue: Yjs updates in, durable LevelDB (or other store) writes out.
 *
 * Writes for a document are serialised (one in flight at a time) and everything that arrives
 * while a write is in flight goes out as the next write (merged into one update when there are
 * more than a few), so a busy
 * document costs one store write per round trip rather than one per keystroke. A failed write is
 * logged with the document name and retried with backoff; nothing after it is reported durable
 * until it succeeds. The log is compacted into the snapshot when it grows past a threshold, and
 * on flush (unload, shutdown).
 *
 * After a failed write, the next write is always a compaction: a full snapshot of the live
 * document, which holds everything ever acknowledged. A failed write may have damaged the
 * store's recent writes (a torn LevelDB log record cost everything written after it), so
 * nothing more is acknowledged until the whole acknowledged state has been stored again.
 *
 * Other writers may hold the same document (cluster members), so a compaction first loads what
 * the store holds, hands what the live document may lack to `catchUp` (content other writers
 * stored), encodes the live document (now a superset of the store) and compacts with the load's
 * cursor: the store deletes exactly the entries that load saw. When another writer compacted
 * first, the store refuses; the compaction is retried from a fresh load.
 */
import * as Y from 'yjs';
import type { Logger } from 'pino';
import type { DocumentStore } from './document-store.js';

export interface CompactionPolicy {
  /** Compact once the log holds this many entries. */
  maxLogEntries: number;
  /** Compact once the log holds this many bytes. */
  maxLogBytes: number;
}

export interface DocumentWriterOptions {
  name: string;
  store: DocumentStore;
  logger: Logger;
  compaction: CompactionPolicy;
  /** Encodes the document's full current state, for compaction; it must include every update enqueued so far. */
  encodeSnapshot: () => Uint8Array;
  /**
   * Applies stored updates to the live document, before a compaction encodes it: content other
   * writers stored that this document may lack (already-known content is a no-op for Yjs).
   */
  catchUp: (updates: Uint8Array[]) => void;
  /** Called after each successful compaction. */
  onCompacted?: () => void;
  /** What the store held at load time. */
  initial: { snapshotGeneration: number; logEntries: number; logBytes: number; snapshotBytes: number };
  retryDelayMs?: { initial: number; max: number };
}

// Bounds one write, so a flood cannot build a single giant merge on the event loop.
const MAX_UPDATES_PER_WRITE = 1_000;
const MAX_BYTES_PER_WRITE = 8 * 1024 * 1024;

const STATS_INTERVAL_MS = 1_000;
const MAX_UNMERGED_ENTRIES = 4;
/** Compactions lost to another writer that are retried at once; later ones back off. */
const IMMEDIATE_COMPACTION_RETRIES = 2;

type DurableCallback = () => void;

export class DocumentWriter {
  readonly #options: DocumentWriterOptions;
  readonly #pending: { update: Uint8Array; generation: number }[] = [];
  #enqueued = 0;
  #durable = 0;
  #waiters: { generation: number; callback: DurableCallback }[] = [];
  /** The newest snapshot generation this document is known to hold (loaded or written by us). */
  #knownGeneration: number;
  #lostCompactions = 0;
  #logEntries: number;
  #logBytes: number;
  #snapshotBytes: number;
  #busy = false;
  #failures = 0;
  #retryTimer: NodeJS.Timeout | null = null;
  #compactionWanted = false;
  #afterCompaction: (() => void)[] = [];
  #closed = false;
  #statsRecordedAt = 0;

  constructor(options: DocumentWriterOptions) {
    this.#options = options;
    this.#knownGeneration = options.initial.snapshotGeneration;
    this.#logEntries = options.initial.logEntries;
    this.#logBytes = options.initial.logBytes;
    this.#snapshotBytes = options.initial.snapshotBytes;
    this.#compactionWanted = this.#logExceedsPolicy();
    if (this.#compactionWanted) queueMicrotask(() => this.#pump());
  }

  get hasUnsavedChanges(): boolean {
    return this.#durable < this.#enqueued;
  }

  get logEntries(): number {
    return this.#logEntries;
  }

  get storedBytes(): number {
    return this.#snapshotBytes + this.#logBytes;
  }

  enqueue(update: Uint8Array): void {
    if (this.#closed) throw new Error(`writer for ${this.#options.name} is closed`);
    this.#enqueued++;
    this.#pending.push({ update, generation: this.#enqueued });
    if (this.#pending.length === 1) queueMicrotask(() => this.#pump());
  }

  /** Calls back once everything enqueued so far is durably stored (at once if it already is). */
  onDurable(callback: DurableCallback): void {
    if (this.#durable >= this.#enqueued) {
      queueMicrotask(callback);
      return;
    }
    this.#waiters.push({ generation: this.#enqueued, callback });
  }

  whenDurable(): Promise<void> {
    return new Promise((resolve) => this.onDurable(resolve));
  }

  /** Writes everything pending, then compacts the log into the snapshot. */
  async flush(): Promise<void> {
    await this.whenDurable();
    if (this.#logEntries > 0) {
      this.#compactionWanted = true;
      await new Promise<void>((resolve) => {
        this.#afterCompaction.push(resolve);
        this.#pump();
      });
    }
  }

  /** Stops retrying. Anything still pending is abandoned: call flush() first. */
  close(): void {
    this.#closed = true;
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
  }

  #pump(): void {
    if (this.#busy || this.#retryTimer || this.#closed) return;
    // Compaction first: under a steady stream of writes it would otherwise starve, and its
    // snapshot covers the pending updates too, which saves writing them to the log at all.
    if (this.#compactionWanted) {
      this.#busy = true;
      void this.#compact().finally(() => this.#afterJob());
    } else if (this.#pending.length > 0) {
      this.#busy = true;
      void this.#writeNextBatch().finally(() => this.#afterJob());
    }
  }

  #afterJob(): void {
    this.#busy = false;
    this.#pump();
  }

  async #writeNextBatch(): Promise<void> {
    const batch = this.#takeBatch();
    const lastGeneration = batch[batch.length - 1]!.generation;
    const updates = batch.map((entry) => entry.update);
    // A few updates are cheaper to store as they are than to merge; many are merged so that a
    // flood does not fill the log (and trigger compactions) with thousands of tiny entries.
    const entries = updates.length <= MAX_UNMERGED_ENTRIES ? updates : [Y.mergeUpdates(updates)];
    const bytes = entries.reduce((sum, entry) => sum + entry.length, 0);
    try {
      await this.#options.store.appendUpdates(this.#options.name, entries, this.#statsToRecord(bytes));
    } catch (error) {
      // Put the batch back in front, in order, and retry: nothing in it is acknowledged.
      this.#pending.unshift(...batch);
      this.#scheduleRetry(error, 'append');
      return;
    }
    this.#failures = 0;
    this.#logEntries += entries.length;
    this.#logBytes += bytes;
    this.#markDurable(lastGeneration);
    if (this.#logExceedsPolicy()) this.#compactionWanted = true;
  }

  /** Stats for the listing, at most once a second: one write less per batch under load. */
  #statsToRecord(appendedBytes: number): { bytes: number; updatedAt: number } | null {
    const now = Date.now();
    if (now - this.#statsRecordedAt < STATS_INTERVAL_MS) return null;
    this.#statsRecordedAt = now;
    return { bytes: this.storedBytes + appendedBytes, updatedAt: now };
  }

  #takeBatch(): { update: Uint8Array; generation: number }[] {
    let count = 0;
    let bytes = 0;
    while (count < this.#pending.length && count < MAX_UPDATES_PER_WRITE) {
      const size = this.#pending[count]!.update.length;
      if (count > 0 && bytes + size > MAX_BYTES_PER_WRITE) break;
      bytes += size;
      count++;
    }
    return this.#pending.splice(0, count);
  }

  async #compact(): Promise<void> {
    const { name, store } = this.#options;
    let covered: { update: Uint8Array; generation: number }[] = [];
    let compacted: boolean;
    let snapshotBytes = 0;
    let coveredGeneration = 0;
    try {
      const stored = await store.load(name);
      const knownGeneration = stored.cursor.snapshotGeneration === this.#knownGeneration;
      // A snapshot of a generation we hold is one we loaded or wrote: skip decoding it again. A
      // log of exactly the entries we count (those we loaded with and those we appended since
      // that generation) holds nobody else's: the live document has all of it, and applying it
      // again decoded every entry for nothing (a single process's every compaction).
      const onlyOurs = knownGeneration && stored.log.length === this.#logEntries;
      const missing = onlyOurs ? [] : stored.snapshot && !knownGeneration ? [stored.snapshot, ...stored.log] : stored.log;
      if (missing.length > 0) this.#options.catchUp(missing);
      // The snapshot holds everything enqueued so far (updates are enqueued after they are
      // applied to the document), so the pending updates are covered by it.
      const snapshot = this.#options.encodeSnapshot();
      snapshotBytes = snapshot.length;
      covered = this.#pending.splice(0);
      coveredGeneration = this.#enqueued;
      compacted = await store.compact(name, snapshot, stored.cursor, { bytes: snapshot.length, updatedAt: Date.now() });
      if (compacted) this.#knownGeneration = stored.cursor.snapshotGeneration + 1;
    } catch (error) {
      this.#pending.unshift(...covered);
      this.#scheduleRetry(error, 'compact');
      return;
    }
    this.#failures = 0;
    if (!compacted) {
      this.#pending.unshift(...covered);
      this.#retryLostCompaction();
      return;
    }
    this.#lostCompactions = 0;
    this.#compactionWanted = false;
    this.#snapshotBytes = snapshotBytes;
    // What this writer appended is in the snapshot now (its writes are serialised, so all of
    // them were in the load); entries other writers appended since are theirs to count.
    this.#logEntries = 0;
    this.#logBytes = 0;
    this.#markDurable(coveredGeneration);
    this.#options.onCompacted?.();
    const waiting = this.#afterCompaction;
    this.#afterCompaction = [];
    for (const resolve of waiting) resolve();
  }

  /**
   * Another writer compacted between our load and our compaction: nothing was written. Retry
   * from a fresh load (which now starts from their snapshot), at once the first times, then
   * backing off, so two writers cannot keep each other busy.
   */
  #retryLostCompaction(): void {
    this.#lostCompactions++;
    this.#options.logger.debug({ doc: this.#options.name, lost: this.#lostCompactions }, 'another writer compacted first; compacting again');
    if (this.#lostCompactions <= IMMEDIATE_COMPACTION_RETRIES || this.#closed) return;
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null;
      this.#pump();
    }, this.#backoff(this.#lostCompactions - IMMEDIATE_COMPACTION_RETRIES));
    this.#retryTimer.unref();
  }

  #logExceedsPolicy(): boolean {
    const { maxLogEntries, maxLogBytes } = this.#options.compaction;
    return this.#logEntries >= maxLogEntries || this.#logBytes >= Math.max(maxLogBytes, this.#snapshotBytes);
  }

  #markDurable(generation: number): void {
    this.#durable = generation;
    let served = 0;
    while (served < this.#waiters.length && this.#waiters[served]!.generation <= generation) served++;
    const ready = this.#waiters.splice(0, served);
    for (const waiter of ready) waiter.callback();
  }

  #scheduleRetry(error: unknown, operation: 'append' | 'compact'): void {
    this.#failures++;
    // The retry stores the full snapshot (see the header), which also covers the failed batch.
    this.#compactionWanted = true;
    const delay = this.#backoff(this.#failures);
    this.#options.logger.error(
      { doc: this.#options.name, err: error, operation, attempt: this.#failures, retryInMs: delay },
      'store write failed; document kept in memory, will retry',
    );
    if (this.#closed) return;
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null;
      this.#pump();
    }, delay);
    this.#retryTimer.unref();
  }

  #backoff(attempt: number): number {
    const { initial, max } = this.#options.retryDelayMs ?? { initial: 100, max: 5_000 };
    return Math.min(max, initial * 2 ** (attempt - 1));
  }
}
