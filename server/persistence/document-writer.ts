/**
 * One document's write queue: Yjs updates in, durable LevelDB (or other store) writes out.
 *
 * Writes for a document are serialised (one in flight at a time) and everything that arrives
 * while a write is in flight goes out as the next write (merged into one update when there are
 * more than a few), so a busy
 * document costs one store write per round trip rather than one per keystroke. A failed write is
 * logged with the document name and retried with backoff; nothing after it is reported durable
 * until it succeeds. The log is compacted into the snapshot when it grows past a threshold, and
 * on flush (unload, shutdown), by document-compactor.ts (which also explains compacting while
 * other writers hold the document).
 *
 * After a failed write, the next write is always a compaction: a full snapshot of the live
 * document, which holds everything ever acknowledged. A failed write may have damaged the
 * store's recent writes (a torn LevelDB log record cost everything written after it), so
 * nothing more is acknowledged until the whole acknowledged state has been stored again. A
 * compaction lost to another writer is retried from a fresh load.
 */
import * as Y from 'yjs';
import type { Logger } from 'pino';
import { DocumentCompactor, type DocumentCompactorOptions } from './document-compactor.js';

export interface DocumentWriterOptions extends DocumentCompactorOptions {
  logger: Logger;
  /** Called after each successful compaction. */
  onCompacted?: () => void;
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
  readonly #compactor: DocumentCompactor;
  #lostCompactions = 0;
  #busy = false;
  #failures = 0;
  #retryTimer: NodeJS.Timeout | null = null;
  #compactionWanted = false;
  #afterCompaction: (() => void)[] = [];
  #closed = false;
  #statsRecordedAt = 0;

  constructor(options: DocumentWriterOptions) {
    this.#options = options;
    this.#compactor = new DocumentCompactor(options);
    this.#compactionWanted = this.#compactor.isDue;
    if (this.#compactionWanted) queueMicrotask(() => this.#pump());
  }

  get hasUnsavedChanges(): boolean {
    return this.#durable < this.#enqueued;
  }

  get logEntries(): number {
    return this.#compactor.logEntries;
  }

  get storedBytes(): number {
    return this.#compactor.storedBytes;
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
    if (this.#compactor.logEntries > 0) {
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
    this.#compactor.recordAppend(entries.length, bytes);
    this.#markDurable(lastGeneration);
    if (this.#compactor.isDue) this.#compactionWanted = true;
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
    let covered: { update: Uint8Array; generation: number }[] = [];
    let coveredGeneration = 0;
    let compacted: boolean;
    try {
      compacted = await this.#compactor.compact(() => {
        // The snapshot holds everything enqueued so far (updates are enqueued after they are
        // applied to the document), so the pending updates are covered by it.
        covered = this.#pending.splice(0);
        coveredGeneration = this.#enqueued;
      });
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
