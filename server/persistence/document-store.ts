/**
 * The storage contract rooms rely on. A document is a compacted snapshot plus an append-only log
 * of the updates Yjs produced since; every method resolves only once the data is durably written
 * (or rejects: a store never swallows a write error). LevelDB implements it today; a shared
 * PostgreSQL store implements the same contract for scale-out.
 */

export interface StoredDocument {
  /** Merged state at the last compaction, or null for a document never compacted. */
  snapshot: Uint8Array | null;
  /** Updates appended since the snapshot, oldest first. */
  log: Uint8Array[];
  /** Highest log sequence number in use (0 when the document has never been written). */
  lastSeq: number;
}

export interface DocumentStats {
  /** Stored bytes: snapshot plus log. */
  bytes: number;
  /** Milliseconds since the epoch of the last change. */
  updatedAt: number;
}

export interface DocumentInfo extends DocumentStats {
  name: string;
}

export interface DocumentStore {
  load(name: string): Promise<StoredDocument>;
  /**
   * Appends updates with sequence numbers `firstSeq`, `firstSeq + 1`, … in one atomic write;
   * `stats` null leaves the listed size and time as they were (they are refreshed at most every
   * second, and always on compaction).
   */
  appendUpdates(name: string, firstSeq: number, updates: Uint8Array[], stats: DocumentStats | null): Promise<void>;
  /**
   * Atomically replaces the snapshot; from then on, load no longer returns the log entries up to
   * and including `throughSeq`, and the store deletes them (not necessarily in the same write).
   */
  compact(name: string, snapshot: Uint8Array, throughSeq: number, stats: DocumentStats): Promise<void>;
  list(): Promise<DocumentInfo[]>;
  close(): Promise<void>;
}
