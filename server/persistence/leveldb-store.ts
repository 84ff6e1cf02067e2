/**
 * DocumentStore on LevelDB (package `level`). Three sublevels: `snap` (name → snapshot),
 * `log` (name NUL seq → update) and `meta` (name → JSON stats). Names never contain NUL (see
 * shared/doc-name.ts), so one document's log range never overlaps another's. Writes from all
 * documents are group-committed (see group-commit.ts).
 */
import { Level } from 'level';
import type { DocumentInfo, DocumentStats, DocumentStore, StoredDocument } from './document-store.js';
import { GroupCommitter } from './group-commit.js';

export interface LeveldbStoreOptions {
  /** Folder of the database; created when missing. */
  directory: string;
  /** fsync every write (survives power loss, slower). */
  fsync: boolean;
}

type Bytes = Uint8Array;
type Db = Level<string, Bytes>;
const openSublevel = (db: Db, name: string) => db.sublevel<string, Bytes>(name, { valueEncoding: 'view' });
type Sublevel = ReturnType<typeof openSublevel>;
type WriteOp = { type: 'put'; sublevel: Sublevel; key: string; value: Bytes } | { type: 'del'; sublevel: Sublevel; key: string };

const SEQ_DIGITS = 12;
const json = { encoder: new TextEncoder(), decoder: new TextDecoder() };

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
  const db: Db = new Level<string, Bytes>(options.directory, { valueEncoding: 'view' });
  await db.open();
  return new LeveldbStore(db, options.fsync);
}

class LeveldbStore implements DocumentStore {
  readonly #db: Db;
  readonly #snapshots: Sublevel;
  readonly #log: Sublevel;
  readonly #meta: Sublevel;
  readonly #commits: GroupCommitter<WriteOp>;
  #closed: Promise<void> | null = null;

  constructor(db: Db, fsync: boolean) {
    this.#db = db;
    this.#snapshots = openSublevel(db, 'snap');
    this.#log = openSublevel(db, 'log');
    this.#meta = openSublevel(db, 'meta');
    const writeOptions = { sync: fsync };
    this.#commits = new GroupCommitter<WriteOp>((ops) => this.#db.batch(ops, writeOptions));
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
      lastSeq = (await this.#readMeta(name))?.lastSeq ?? 0;
    }
    return { snapshot, log, lastSeq };
  }

  appendUpdates(name: string, firstSeq: number, updates: Uint8Array[], stats: DocumentStats): Promise<void> {
    const ops: WriteOp[] = updates.map((update, i) => ({ type: 'put', sublevel: this.#log, key: logKey(name, firstSeq + i), value: update }));
    ops.push(this.#metaPut(name, stats, firstSeq + updates.length - 1));
    return this.#commits.submit(ops, updates.reduce((bytes, update) => bytes + update.length, 0));
  }

  async compact(name: string, snapshot: Uint8Array, throughSeq: number, stats: DocumentStats): Promise<void> {
    const ops: WriteOp[] = [{ type: 'put', sublevel: this.#snapshots, key: name, value: snapshot }];
    for await (const key of this.#log.keys({ ...logRange(name), lte: logKey(name, throughSeq) })) {
      ops.push({ type: 'del', sublevel: this.#log, key });
    }
    ops.push(this.#metaPut(name, stats, throughSeq));
    await this.#commits.submit(ops, snapshot.length);
  }

  async list(): Promise<DocumentInfo[]> {
    const documents: DocumentInfo[] = [];
    for await (const [name, value] of this.#meta.iterator()) {
      const meta = parseMeta(value);
      documents.push({ name, bytes: meta.bytes, updatedAt: meta.updatedAt });
    }
    return documents;
  }

  close(): Promise<void> {
    this.#closed ??= this.#commits.drain().then(() => this.#db.close());
    return this.#closed;
  }

  async #readMeta(name: string): Promise<StoredMeta | null> {
    const value = await this.#meta.get(name);
    return value ? parseMeta(value) : null;
  }

  #metaPut(name: string, stats: DocumentStats, lastSeq: number): WriteOp {
    const meta: StoredMeta = { bytes: stats.bytes, updatedAt: stats.updatedAt, lastSeq };
    return { type: 'put', sublevel: this.#meta, key: name, value: json.encoder.encode(JSON.stringify(meta)) };
  }
}

interface StoredMeta extends DocumentStats {
  lastSeq: number;
}

function parseMeta(value: Bytes): StoredMeta {
  return JSON.parse(json.decoder.decode(value)) as StoredMeta;
}
