/**
 * DocumentStore on LevelDB (package `level`): operations in, LevelDB batches and reads out, over
 * the key layout of leveldb-layout.ts. Writes from all documents are group-committed (see
 * group-commit.ts).
 *
 * Positions are assigned here, from a per-document counter that starts after the highest
 * position the folder ever held (log, compaction point, or the lastSeq older versions kept in
 * meta), so a folder written by an earlier version opens and continues as it was.
 *
 * Loading reads the log from just after the compaction point, from one LevelDB snapshot.
 * Deleted entries stay behind as tombstones until LevelDB compacts its files, and iterating
 * over them made loading a long-edited document slow (200,000 of them cost ~50 ms), hence the
 * compaction point. A compaction deletes exactly the positions its cursor lists and moves the
 * compaction point to the highest of them; that hides nothing else, because every write goes
 * through one group committer in position order: an entry below the cursor's highest that the
 * load did not see was deleted before, or its write failed and it never existed.
 */
import { pino, type Logger } from 'pino';
import type { DocumentInfo, DocumentStats, DocumentStore, StoreCursor, StoredDocument } from './document-store.js';
import { decodeVersionState, prepareVersion, type NewVersion, type StoredVersion, type VersionInfo, type VersionRecord } from './document-versions.js';
import { GroupCommitter } from './group-commit.js';
import { openLeveldbHandle, type LeveldbHandle, type LeveldbWriteOp } from './leveldb-handle.js';
import { Space, decodeNumber, encodeNumber, json, logKey, logRange, metaPut, parseMeta, positionOfLogKey, versionKey, versionRange } from './leveldb-layout.js';
import { KeyedMutex } from './keyed-mutex.js';

export interface LeveldbStoreOptions {
  /** Folder of the database; created when missing, refused when damaged (leveldb-folder-check.ts). */
  directory: string;
  /** fsync every write (survives power loss, slower). */
  fsync: boolean;
  /** Where reopening after a failed write is reported (default: silent). */
  logger?: Logger;
}

/** Position counters kept for documents with no write in flight; past this, idle ones are dropped (and re-read when needed). */
const MAX_IDLE_COUNTERS = 10_000;

export async function createLeveldbStore(options: LeveldbStoreOptions): Promise<DocumentStore> {
  const db = await openLeveldbHandle({ directory: options.directory, logger: options.logger ?? pino({ level: 'silent' }) });
  return new LeveldbStore(db, options.fsync);
}

interface Counter {
  /** Highest position assigned. */
  last: number;
  /** Writes submitted and not yet settled: the counter must not be dropped meanwhile. */
  inFlight: number;
}

/**
 * Least time between two LevelDB batches (group-commit.ts): under load, ~100 batches a second
 * each carrying every document's writes of the last 10 ms, instead of one batch per edit; an
 * acknowledgement waits at most this much longer. Idle documents' writes go at once. Each batch
 * costs tens of µs of the event loop's time in the native call whatever it holds (the biggest
 * single item of a closed-loop profile at 2 ms): 10 ms cut server CPU per edit by ~10 % against
 * 2 ms, and 10 ms more before "All changes saved" is not something a person sees.
 */
const COMMIT_INTERVAL_MS = 10;

class LeveldbStore implements DocumentStore {
  readonly #db: LeveldbHandle;
  readonly #commits: GroupCommitter<LeveldbWriteOp>;
  /** Read-modify-write sections per document: counter set-up, compaction, delete. */
  readonly #mutex = new KeyedMutex();
  readonly #counters = new Map<string, Counter>();
  #closed: Promise<void> | null = null;

  constructor(db: LeveldbHandle, fsync: boolean) {
    this.#db = db;
    const writeOptions = { sync: fsync };
    this.#commits = new GroupCommitter<LeveldbWriteOp>((ops) => this.#db.batch(ops, writeOptions), { minIntervalMs: COMMIT_INTERVAL_MS });
  }

  load(name: string): Promise<StoredDocument> {
    return this.#db.consistentRead(async (reader) => {
      const [snapshot, compactedThrough, generation] = await reader.getMany([Space.snapshot + name, Space.compactedThrough + name, Space.generation + name]);
      const log: Uint8Array[] = [];
      const positions: number[] = [];
      for await (const [key, value] of reader.iterator(logRange(name, decodeNumber(compactedThrough)))) {
        log.push(value);
        positions.push(positionOfLogKey(key));
      }
      return { snapshot: snapshot ?? null, log, cursor: { snapshotGeneration: decodeNumber(generation), positions } };
    });
  }

  appendUpdates(name: string, updates: Uint8Array[], stats: DocumentStats | null): Promise<void> {
    if (updates.length === 0) return Promise.resolve();
    // The hot path: no await before the write is queued (see #withCounter).
    return this.#withCounter(name, (counter) => {
      const first = counter.last + 1;
      counter.last += updates.length;
      const ops: LeveldbWriteOp[] = updates.map((update, i) => ({ type: 'put', key: logKey(name, first + i), value: update }));
      if (stats) ops.push(metaPut(name, stats, counter.last));
      return this.#submit(name, counter, ops, updates.reduce((bytes, update) => bytes + update.length, 0));
    });
  }

  compact(name: string, snapshot: Uint8Array, cursor: StoreCursor, stats: DocumentStats): Promise<boolean> {
    return this.#mutex.run(name, async () => {
      const [storedGeneration, storedCompactedThrough] = await this.#db.getMany([Space.generation + name, Space.compactedThrough + name]);
      const generation = decodeNumber(storedGeneration);
      if (generation !== cursor.snapshotGeneration) return false;
      const compactedThrough = cursor.positions.reduce((highest, position) => Math.max(highest, position), decodeNumber(storedCompactedThrough));
      await this.#withCounter(name, (counter) => {
        const ops: LeveldbWriteOp[] = [
          { type: 'put', key: Space.snapshot + name, value: snapshot },
          { type: 'put', key: Space.generation + name, value: encodeNumber(generation + 1) },
          { type: 'put', key: Space.compactedThrough + name, value: encodeNumber(compactedThrough) },
          metaPut(name, stats, counter.last),
          ...cursor.positions.map((position): LeveldbWriteOp => ({ type: 'del', key: logKey(name, position) })),
        ];
        return this.#submit(name, counter, ops, snapshot.length);
      });
      return true;
    });
  }

  delete(name: string): Promise<void> {
    return this.#mutex.run(name, async () => {
      const generation = decodeNumber(await this.#db.get(Space.generation + name));
      let deletedThrough = 0;
      await this.#withCounter(name, (counter) => {
        deletedThrough = counter.last;
        const ops: LeveldbWriteOp[] = [
          { type: 'del', key: Space.snapshot + name },
          { type: 'del', key: Space.meta + name },
          { type: 'put', key: Space.generation + name, value: encodeNumber(generation + 1) },
          // Kept, so that numbering goes on after the deleted entries (positions are never reused).
          { type: 'put', key: Space.compactedThrough + name, value: encodeNumber(deletedThrough) },
        ];
        return this.#submit(name, counter, ops, 0);
      });
      // Dead from here on (loads start after the compaction point): LevelDB deletes the range natively.
      await this.#db.clear({ gt: logRange(name).gt, lte: logKey(name, deletedThrough) });
      await this.#db.clear(versionRange(Space.version, name));
      await this.#db.clear(versionRange(Space.versionData, name));
    });
  }

  async addVersion(name: string, version: NewVersion): Promise<number> {
    const { record, data } = await prepareVersion(version);
    // Under the document's lock: a delete of the document cannot slip between numbering and writing.
    return this.#mutex.run(name, async () => {
      const id = decodeNumber(await this.#db.get(Space.versionSeq + name)) + 1;
      await this.#commits.submit(
        [
          { type: 'put', key: Space.versionSeq + name, value: encodeNumber(id) },
          { type: 'put', key: versionKey(Space.version, name, id), value: json.encoder.encode(JSON.stringify(record)) },
          { type: 'put', key: versionKey(Space.versionData, name, id), value: data },
        ],
        data.length,
      );
      return id;
    });
  }

  async listVersions(name: string): Promise<VersionInfo[]> {
    const versions: VersionInfo[] = [];
    for await (const [key, value] of this.#db.iterator({ ...versionRange(Space.version, name), reverse: true })) {
      versions.push({ id: positionOfLogKey(key), ...(JSON.parse(json.decoder.decode(value)) as VersionRecord) });
    }
    return versions;
  }

  async loadVersion(name: string, id: number): Promise<StoredVersion | null> {
    if (!Number.isSafeInteger(id) || id <= 0) return null;
    const [record, data] = await this.#db.consistentRead((reader) => reader.getMany([versionKey(Space.version, name, id), versionKey(Space.versionData, name, id)]));
    if (!record || !data) return null;
    const info: VersionRecord = JSON.parse(json.decoder.decode(record)) as VersionRecord;
    return { id, ...info, state: await decodeVersionState(data, info.encoding) };
  }

  deleteVersions(name: string, ids: number[]): Promise<void> {
    const valid = ids.filter((id) => Number.isSafeInteger(id) && id > 0);
    if (valid.length === 0) return Promise.resolve();
    return this.#mutex.run(name, () =>
      this.#commits.submit(
        valid.flatMap((id): LeveldbWriteOp[] => [
          { type: 'del', key: versionKey(Space.version, name, id) },
          { type: 'del', key: versionKey(Space.versionData, name, id) },
        ]),
        0,
      ),
    );
  }

  async list(): Promise<DocumentInfo[]> {
    const documents: DocumentInfo[] = [];
    for await (const [key, value] of this.#db.iterator({ gt: Space.meta, lt: `${Space.meta}\uffff` })) {
      const meta = parseMeta(value);
      documents.push({ name: key.slice(Space.meta.length), bytes: meta.bytes, updatedAt: meta.updatedAt });
    }
    return documents;
  }

  async ping(): Promise<void> {
    await this.#db.get(Space.meta);
  }

  close(): Promise<void> {
    this.#closed ??= this.#commits.drain().then(() => this.#db.close());
    return this.#closed;
  }

  /**
   * Calls `use` with the document's position counter, reading it from the folder first if
   * needed. `use` runs synchronously right after the lookup and submits its write before
   * returning, so positions reach the group committer in order and the counter cannot be
   * dropped (MAX_IDLE_COUNTERS) between reading and using it.
   */
  #withCounter<T>(name: string, use: (counter: Counter) => Promise<T>): Promise<T> {
    const counter = this.#counters.get(name);
    if (counter) return use(counter);
    return this.#mutex
      .run(`counter\u0000${name}`, async () => {
        if (!this.#counters.has(name)) this.#counters.set(name, { last: await this.#highestPosition(name), inFlight: 0 });
      })
      .then(() => this.#withCounter(name, use));
  }

  async #highestPosition(name: string): Promise<number> {
    const [compactedThrough, meta] = await this.#db.getMany([Space.compactedThrough + name, Space.meta + name]);
    let highest = Math.max(decodeNumber(compactedThrough), meta ? (parseMeta(meta).lastSeq ?? 0) : 0);
    for await (const [key] of this.#db.iterator({ ...logRange(name), reverse: true, limit: 1 })) highest = Math.max(highest, positionOfLogKey(key));
    return highest;
  }

  /** Queues the write at once (see #withCounter); resolves when it is written. */
  #submit(name: string, counter: Counter, ops: LeveldbWriteOp[], bytes: number): Promise<void> {
    counter.inFlight++;
    return this.#commits.submit(ops, bytes).finally(() => {
      counter.inFlight--;
      if (counter.inFlight === 0 && this.#counters.size > MAX_IDLE_COUNTERS) this.#counters.delete(name);
    });
  }
}
