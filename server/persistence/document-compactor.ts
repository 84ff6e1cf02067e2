/**
 * One document's log accounting and compaction, for its DocumentWriter: the sizes of the writer's
 * appends in, and, when the log has outgrown the policy, a snapshot of the live document out, in
 * place of the log entries it covers.
 *
 * Other writers may hold the same document (cluster members), so a compaction first loads what
 * the store holds, hands what the live document may lack to `catchUp` (content other writers
 * stored), encodes the live document (now a superset of the store) and compacts with the load's
 * cursor: the store deletes exactly the entries that load saw. When another writer compacted
 * first, the store refuses and nothing is written; the writer retries from a fresh load.
 */
import type { DocumentStore } from './document-store.js';

export interface CompactionPolicy {
  /** Compact once the log holds this many entries. */
  maxLogEntries: number;
  /** Compact once the log holds this many bytes. */
  maxLogBytes: number;
}

export interface DocumentCompactorOptions {
  name: string;
  store: DocumentStore;
  compaction: CompactionPolicy;
  /** Encodes the document's full current state, for compaction; it must include every update enqueued so far. */
  encodeSnapshot: () => Uint8Array;
  /**
   * Applies stored updates to the live document, before a compaction encodes it: content other
   * writers stored that this document may lack (already-known content is a no-op for Yjs).
   */
  catchUp: (updates: Uint8Array[]) => void;
  /** What the store held at load time. */
  initial: { snapshotGeneration: number; logEntries: number; logBytes: number; snapshotBytes: number };
}

export class DocumentCompactor {
  readonly #options: DocumentCompactorOptions;
  /** The newest snapshot generation this document is known to hold (loaded or written by us). */
  #knownGeneration: number;
  #logEntries: number;
  #logBytes: number;
  #snapshotBytes: number;

  constructor(options: DocumentCompactorOptions) {
    this.#options = options;
    this.#knownGeneration = options.initial.snapshotGeneration;
    this.#logEntries = options.initial.logEntries;
    this.#logBytes = options.initial.logBytes;
    this.#snapshotBytes = options.initial.snapshotBytes;
  }

  get logEntries(): number {
    return this.#logEntries;
  }

  get storedBytes(): number {
    return this.#snapshotBytes + this.#logBytes;
  }

  /** Whether the log has outgrown the policy (its bytes also the snapshot's size). */
  get isDue(): boolean {
    const { maxLogEntries, maxLogBytes } = this.#options.compaction;
    return this.#logEntries >= maxLogEntries || this.#logBytes >= Math.max(maxLogBytes, this.#snapshotBytes);
  }

  /** Counts entries the writer appended (durably). */
  recordAppend(entries: number, bytes: number): void {
    this.#logEntries += entries;
    this.#logBytes += bytes;
  }

  /**
   * Compacts from a fresh load. `onEncoded` runs right after the live document is encoded, with
   * no await in between: everything enqueued until then is in the snapshot. Resolves true once
   * the snapshot is stored, false when another writer compacted first (nothing was written);
   * rejects when the store fails.
   */
  async compact(onEncoded: () => void): Promise<boolean> {
    const { name, store } = this.#options;
    const stored = await store.load(name);
    const knownGeneration = stored.cursor.snapshotGeneration === this.#knownGeneration;
    // A snapshot of a generation we hold is one we loaded or wrote: skip decoding it again. A
    // log of exactly the entries we count (those we loaded with and those we appended since
    // that generation) holds nobody else's: the live document has all of it, and applying it
    // again decoded every entry for nothing (a single process's every compaction).
    const onlyOurs = knownGeneration && stored.log.length === this.#logEntries;
    const missing = onlyOurs ? [] : stored.snapshot && !knownGeneration ? [stored.snapshot, ...stored.log] : stored.log;
    if (missing.length > 0) this.#options.catchUp(missing);
    const snapshot = this.#options.encodeSnapshot();
    onEncoded();
    const compacted = await store.compact(name, snapshot, stored.cursor, { bytes: snapshot.length, updatedAt: Date.now() });
    if (!compacted) return false;
    this.#knownGeneration = stored.cursor.snapshotGeneration + 1;
    this.#snapshotBytes = snapshot.length;
    // What this writer appended is in the snapshot now (its writes are serialised, so all of
    // them were in the load); entries other writers appended since are theirs to count.
    this.#logEntries = 0;
    this.#logBytes = 0;
    return true;
  }
}
