/**
 * DocumentStore on LevelDB (package `level`). Three sublevels: `snap` (name → snapshot),
 * `log` (name NUL seq → update) and `meta` (name → stats). Names never contain NUL (see
 * shared/doc-name.ts), so one document's log range never overlaps another's.
 */
import { Level } from 'level';
import type { DocumentInfo, DocumentStats, DocumentStore, StoredDocument } from './document-store.js';

export interface LeveldbStoreOptions {
  /** Folder of the database; created when missing. */
  directory: string;
  /** fsync every write (survives power loss, slower). */
  fsync: boolean;
}

type Bytes = Uint8Array;

const SEQ_DIGITS = 12;

function logKey(name: string, seq: number): string {
  return `${name}\u0000${seq.toString(16).padStart(SEQ_DIGITS, '0')}`;
}

function logRange(name: string): { gt: string; lt: string } {
  return { gt: `${name}\u0000`, lt: `${name}\u0001` };
}

function seqOfLogKey(key: string): number {
  return Number.parseInt(key.slice(key.lastIndexOf('\u0000') + 1), 16);
}

export async function createLeveldbStore(options: LeveldbStoreOptions): Promise<DocumentStore> {
  const db = new Level<string, Bytes>(options.directory, { valueEncoding: 'view' });
  await db.open();
  return new LeveldbStore(db, options.fsync);
}

class LeveldbStore implements DocumentStore {
  readonly #db: Level<string, Bytes>;
  readonly #snapshots;
  readonly #log;
  readonly #meta;
  readonly #writeOptions: { sync: boolean };
  #closed: Promise<void> | null = null;

  constructor(db: Level<string, Bytes>, fsync: boolean) {
    this.#db = db;
    this.#snapshots = db.sublevel<string, Bytes>('snap', { valueEncoding: 'view' });
    this.#log = db.sublevel<string, Bytes>('log', { valueEncoding: 'view' });
    this.#meta = db.sublevel<string, StoredMeta>('meta', { valueEncoding: 'json' });
    this.#writeOptions = { sync: fsync };
  }

  async load(name: string): Promise<StoredDocument> {
    const snapshot = (await this.#snapshots.get(name)) ?? null;
    const log: Uint8Array[] = [];
    let lastSeq = 0;
    for await (const [key, value] of this.#log.iterator(logRange(name))) {
      log.push(value);
      lastSeq = seqOfLogKey(key);
    }
    if (log.length === 0 && snapshot !== null) {
      // The log was emptied by a compaction: continue numbering after what it deleted.
      lastSeq = (await this.#meta.get(name))?.lastSeq ?? 0;
    }
    return { snapshot, log, lastSeq };
  }

  async appendUpdates(name: string, firstSeq: number, updates: Uint8Array[], stats: DocumentStats): Promise<void> {
    const batch = this.#db.batch();
    updates.forEach((update, i) => batch.put(logKey(name, firstSeq + i), update, { sublevel: this.#log }));
    batch.put(name, this.#meta_(stats, firstSeq + updates.length - 1), { sublevel: this.#meta, valueEncoding: 'json' });
    await batch.write(this.#writeOptions);
  }

  async compact(name: string, snapshot: Uint8Array, throughSeq: number, stats: DocumentStats): Promise<void> {
    const batch = this.#db.batch();
    batch.put(name, snapshot, { sublevel: this.#snapshots });
    for await (const key of this.#log.keys({ ...logRange(name), lte: logKey(name, throughSeq) })) {
      batch.del(key, { sublevel: this.#log });
    }
    batch.put(name, this.#meta_(stats, throughSeq), { sublevel: this.#meta, valueEncoding: 'json' });
    await batch.write(this.#writeOptions);
  }

  async list(): Promise<DocumentInfo[]> {
    const documents: DocumentInfo[] = [];
    for await (const [name, stats] of this.#meta.iterator()) {
      documents.push({ name, bytes: stats.bytes, updatedAt: stats.updatedAt });
    }
    return documents;
  }

  close(): Promise<void> {
    this.#closed ??= this.#db.close();
    return this.#closed;
  }

  #meta_(stats: DocumentStats, lastSeq: number): Bytes {
    // The chained batch is typed with the root's value type; json-encoded via valueEncoding.
    const value: StoredMeta = { bytes: stats.bytes, updatedAt: stats.updatedAt, lastSeq };
    return value as unknown as Bytes;
  }
}

interface StoredMeta extends DocumentStats {
  lastSeq: number;
}
