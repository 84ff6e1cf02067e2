/**
 * The LevelDB database under the store, and the only code that opens it. Reads and writes go
 * through here; what comes back is LevelDB's answer, or an error.
 *
 * Opening: the folder is checked first (leveldb-folder-check.ts) and a damaged one is refused;
 * a folder that holds data is opened with createIfMissing off, so LevelDB can never start an
 * empty database over it.
 *
 * Reopening after a failed write: a LevelDB write that fails part-way (disk full) leaves a torn
 * record in the write-ahead log, and LevelDB carries on appending after it. Those later writes
 * report success, but the next start replays the log, stops at the torn record and silently
 * drops them (LOG: "dropping … bytes; Corruption: checksum mismatch"). So after any failed
 * write the database is closed and reopened before anything else reaches it: the reopen
 * replays the log up to the torn tail (which LevelDB reads as the end of the file), turns it
 * into a table file and starts a fresh log. While the reopen runs, reads and writes wait for
 * it; while it keeps failing (the disk is still full), they fail at once and the next one after
 * a back-off tries again. Callers treat a failed write as not stored (DocumentWriter re-stores
 * each affected document's full state before acknowledging anything more).
 */
import { Level } from 'level';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { checkLeveldbFolder, describeError, findCorruptionReports, StoreFolderError } from './leveldb-folder-check.js';

type Bytes = Uint8Array;
type Db = Level<string, Bytes>;

export type LeveldbWriteOp = { type: 'put'; key: string; value: Bytes } | { type: 'del'; key: string };

export interface LeveldbRange {
  gt?: string;
  gte?: string;
  lt?: string;
  lte?: string;
  reverse?: boolean;
  limit?: number;
}

/** Reads from one point-in-time view of the database (see LeveldbHandle.consistentRead). */
export interface LeveldbReader {
  getMany(keys: string[]): Promise<(Bytes | undefined)[]>;
  iterator(range: LeveldbRange): AsyncIterable<[string, Bytes]>;
  keys(range: LeveldbRange): AsyncIterable<string>;
}

export interface LeveldbHandleOptions {
  directory: string;
  logger: Logger;
  /** Back-off between failed reopen attempts. */
  reopenDelayMs?: { initial: number; max: number };
}

export class LeveldbUnavailableError extends Error {
  readonly code = 'LEVELDB_UNAVAILABLE';
}

export async function openLeveldbHandle(options: LeveldbHandleOptions): Promise<LeveldbHandle> {
  const { fresh } = await checkLeveldbFolder(options.directory);
  const db: Db = new Level<string, Bytes>(options.directory, { valueEncoding: 'view', createIfMissing: fresh });
  try {
    await db.open();
  } catch (error) {
    throw new StoreFolderError(options.directory, `LevelDB could not open it (${describeError(error)})`, { cause: error });
  }
  return new LeveldbHandle(db, options);
}

export class LeveldbHandle {
  readonly #db: Db;
  readonly #options: LeveldbHandleOptions;
  /** The reopen in progress, if any: every operation waits for it. */
  #reopening: Promise<void> | null = null;
  /** Why the database is closed after a failed reopen, and when the next attempt may run. */
  #unavailable: { error: LeveldbUnavailableError; retryAt: number; attempts: number } | null = null;
  /** Bumped by each successful reopen, so a read that failed across one can tell. */
  #generation = 0;
  #closed: Promise<void> | null = null;

  constructor(db: Db, options: LeveldbHandleOptions) {
    this.#db = db;
    this.#options = options;
  }

  get(key: string): Promise<Bytes | undefined> {
    return this.#read((db) => db.get(key));
  }

  getMany(keys: string[]): Promise<(Bytes | undefined)[]> {
    return this.#read((db) => db.getMany(keys));
  }

  async *iterator(range: LeveldbRange): AsyncGenerator<[string, Bytes]> {
    const db = await this.#ready();
    yield* db.iterator(range);
  }

  /**
   * Runs `read` against a LevelDB snapshot: every read inside sees the database as it was when
   * the snapshot was taken, whatever is written meanwhile (a load must not see half of a
   * compaction that lands between reading the snapshot key and iterating the log).
   */
  consistentRead<T>(read: (reader: LeveldbReader) => Promise<T>): Promise<T> {
    return this.#read(async (db) => {
      const snapshot = db.snapshot();
      try {
        return await read({
          getMany: (keys) => db.getMany(keys, { snapshot }),
          iterator: (range) => db.iterator({ ...range, snapshot }),
          keys: (range) => db.keys({ ...range, snapshot }),
        });
      } finally {
        await snapshot.close();
      }
    });
  }

  batch(ops: LeveldbWriteOp[], options: { sync: boolean }): Promise<void> {
    return this.#write((db) => writeChained(db, ops, options));
  }

  /** Deletes a key range (natively, without listing it in JavaScript). */
  clear(range: LeveldbRange): Promise<void> {
    return this.#write((db) => db.clear(range));
  }

  /** Idempotent; waits for a reopen in progress. */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      await this.#reopening;
      await this.#db.close();
    })();
    return this.#closed;
  }

  async #write(operation: (db: Db) => Promise<void>): Promise<void> {
    const db = await this.#ready();
    try {
      await operation(db);
    } catch (error) {
      // Started before the caller hears of the failure, so no later write can slip in first.
      this.#startReopen(error);
      throw error;
    }
  }

  async #read<T>(operation: (db: Db) => Promise<T>): Promise<T> {
    const db = await this.#ready();
    const generation = this.#generation;
    try {
      return await operation(db);
    } catch (error) {
      // Closed under it by a reopen: once more on the reopened database.
      if (this.#reopening === null && generation === this.#generation) throw error;
      return operation(await this.#ready());
    }
  }

  async #ready(): Promise<Db> {
    for (;;) {
      if (this.#closed) throw new LeveldbUnavailableError(`the LevelDB store in ${this.#options.directory} is closed`);
      if (this.#reopening) {
        await this.#reopening;
        continue;
      }
      if (!this.#unavailable) return this.#db;
      if (Date.now() < this.#unavailable.retryAt) throw this.#unavailable.error;
      this.#startReopen(this.#unavailable.error);
    }
  }

  #startReopen(cause: unknown): void {
    if (this.#reopening || this.#closed) return;
    this.#reopening = this.#reopen(cause).finally(() => {
      this.#reopening = null;
    });
  }

  /** Never rejects: a failure is kept in #unavailable for the operations that follow. */
  async #reopen(cause: unknown): Promise<void> {
    const { directory, logger } = this.#options;
    const attempts = (this.#unavailable?.attempts ?? 0) + 1;
    logger.warn({ dataDir: directory, err: cause, attempt: attempts }, 'reopening LevelDB after a failed write, before anything else is written');
    try {
      await this.#db.close();
      await this.#db.open({ createIfMissing: false });
    } catch (error) {
      const { initial, max } = this.#options.reopenDelayMs ?? { initial: 100, max: 5_000 };
      const delay = Math.min(max, initial * 2 ** (attempts - 1));
      const unavailable = new LeveldbUnavailableError(`reopening the LevelDB store in ${directory} failed: ${describeError(error)}`, { cause: error });
      this.#unavailable = { error: unavailable, retryAt: Date.now() + delay, attempts };
      logger.error({ dataDir: directory, err: error, attempt: attempts, retryInMs: delay }, 'reopening LevelDB failed; writes fail until it succeeds');
      return;
    }
    this.#unavailable = null;
    this.#generation++;
    logger.info({ dataDir: directory, attempts }, 'LevelDB reopened');
    await this.#reportRecoveryCorruption();
  }

  /**
   * The reopen's recovery should meet only a torn tail, which LevelDB reads as a clean end. If
   * its info log reports dropped data anyway, say so loudly: it is not something to hide.
   */
  async #reportRecoveryCorruption(): Promise<void> {
    const { directory, logger } = this.#options;
    try {
      const reports = findCorruptionReports(await readFile(path.join(directory, 'LOG'), 'utf8'));
      if (reports.length > 0) logger.error({ dataDir: directory, reports }, 'LevelDB dropped data while reopening');
    } catch (error) {
      logger.warn({ dataDir: directory, err: error }, 'could not read the LevelDB info log after reopening');
    }
  }
}

/**
 * One atomic batch through abstract-level's chained form: its array form copies the options into
 * every operation and checks each one in JavaScript (~8 µs per operation, measured), which was a
 * third of the server's CPU per stored edit under closed-loop load.
 */
async function writeChained(db: Db, ops: LeveldbWriteOp[], options: { sync: boolean }): Promise<void> {
  const batch = db.batch();
  try {
    for (const op of ops) {
      if (op.type === 'put') batch.put(op.key, op.value);
      else batch.del(op.key);
    }
  } catch (error) {
    await batch.close();
    throw error;
  }
  await batch.write(options);
}
