/**
 * The storage contract rooms rely on. A document is a compacted snapshot plus an append-only log
 * of the updates Yjs produced since; every method resolves only once the data is durably written
 * (or rejects: a store never swallows a write error). LevelDB (one process) and PostgreSQL
 * (several processes) implement it.
 *
 * Several writers may hold one document at once (cluster members, or two rooms racing in tests),
 * so the store, not the caller, numbers log entries, and compaction is a compare-and-set: it
 * names exactly the log entries it merged (the cursor of the load it merged) and succeeds only
 * if nobody compacted since that load. An entry another writer appended meanwhile is never
 * deleted; a compaction that lost the race changes nothing and reports false.
 *
 * Versions (document-versions.ts) are past states kept beside the document: the store assigns
 * their ids, encodes their state, and deletes them with the document. Which versions to keep is
 * the caller's decision (server/history/version-retention.ts).
 */
import type { NewVersion, StoredVersion, VersionInfo } from './document-versions.js';

/** What one load saw: the snapshot's generation and the positions of the log entries returned. */
export interface StoreCursor {
  /** Bumped by each successful compaction (and by delete); 0 for a document never compacted. */
  snapshotGeneration: number;
  /** Store-assigned positions of `log`'s entries, in the same order (ascending). */
  positions: number[];
}

export interface StoredDocument {
  /** Merged state at the last compaction, or null for a document never compacted. */
  snapshot: Uint8Array | null;
  /** Updates appended since the snapshot, in position order. Yjs applies them in any order. */
  log: Uint8Array[];
  cursor: StoreCursor;
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
   * Appends updates in one atomic write, at positions the store assigns (ascending, never
   * reused for the document); `stats` null leaves the listed size and time as they were.
   */
  appendUpdates(name: string, updates: Uint8Array[], stats: DocumentStats | null): Promise<void>;
  /**
   * Replaces the snapshot with `snapshot` (which must hold the loaded snapshot and every entry
   * `cursor` lists) and deletes exactly the log entries `cursor` lists, atomically, if the
   * snapshot generation is still `cursor.snapshotGeneration`. Resolves false, changing nothing,
   * when another writer compacted (or deleted the document) first: load again and retry.
   */
  compact(name: string, snapshot: Uint8Array, cursor: StoreCursor, stats: DocumentStats): Promise<boolean>;
  /**
   * Removes the document's content, listing and versions, and bumps its generation so that a compaction
   * from a load before the delete fails. Closing rooms that hold it is the caller's job.
   */
  delete(name: string): Promise<void>;
  list(): Promise<DocumentInfo[]>;
  /** Stores a version (state compressed when that is smaller); resolves with its id, higher than any before it for the document. */
  addVersion(name: string, version: NewVersion): Promise<number>;
  /** The document's versions, newest (highest id) first, without their states. */
  listVersions(name: string): Promise<VersionInfo[]>;
  /** One version with its state decoded, or null when the document has no such version. */
  loadVersion(name: string, id: number): Promise<StoredVersion | null>;
  /** Deletes the listed versions; ids it does not hold are ignored. */
  deleteVersions(name: string, ids: number[]): Promise<void>;
  /** Resolves when the store can serve (for readiness); rejects otherwise. */
  ping(): Promise<void>;
  /** Idempotent; waits for writes in flight. */
  close(): Promise<void>;
}
