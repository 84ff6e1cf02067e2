/**
 * DocumentStore on LevelDB (package `level`). Four key spaces: snapshots (name → snapshot),
 * the log (name NUL seq → update), meta (name → JSON stats) and the compaction point (name → the
 * last seq folded into the snapshot). Names never contain NUL (see shared/doc-name.ts), so one
 * document's log range never overlaps another's. Writes from all documents are group-committed
 * (see group-commit.ts).
 *
 * Loading reads the log from just after the compaction point. That makes a compaction's
 * snapshot, compaction point and stats one small atomic write, with the covered log entries
 * deleted after it (they are dead either way), and it keeps loading fast: deleted entries stay
 * behind as tombstones until LevelDB compacts its files, and iterating over them made loading a
 * long-edited document slow (200,000 of them cost ~50 ms).
 */
import { pino, type Logger } from 'pino';
import type { DocumentInfo, DocumentStats, DocumentStore, StoredDocument } from './document-store.js';
import { GroupCommitter } from './group-commit.js';
import { openLeveldbHandle, type LeveldbHandle } from './leveldb-handle.js';

export interface LeveldbStoreOptions {
  /** Folder of the database; created when missing, refused when damaged (leveldb-folder-check.ts). */
  directory: string;
  /** fsync every write (survives power loss, slower). */
  fsync: boolean;
  /** Where reopening after a failed write is reported (default: silent). */
  logger?: Logger;
}

type Bytes = Uint8Array;
/** Reopens LevelDB after a failed write and holds everything else meanwhile (leveldb-handle.ts). */
type Db = LeveldbHandle;
type WriteOp = { type: 'put'; key: string; value: Bytes };

/**
 * Key spaces, laid out exactly as `level` sublevels named snap, log and meta would be
 * (`!name!` + key), but written through the root database: the hot append path then skips the
 * sublevel machinery's per-operation work.
 */
const Space = { snapshot: '!snap!', log: '!log!', meta: '!meta!', compactedThrough: '!cpt!' } as const;

const SEQ_DIGITS = 12;
const json = { encoder: new TextEncoder(), decoder: new TextDecoder() };

function logKey(name: string, seq: number): string {
  return `${Space.log}${name}\u0000${seq.toString(16).padStart(SEQ_DIGITS, '0')}`;
}

/** The document's log entries after `afterSeq` (all of them when 0). */
function logRange(name: string, afterSeq = 0): { gt: string; lt: string } {
  return { gt: afterSeq > 0 ? logKey(name, afterSeq) : `${Space.log}${name}\u0000`, lt: `${Space.log}${name}\u0001` };
}

function seqOfLogKey(key: string): number {
  return Number.parseInt(key.slice(key.lastIndexOf('\u0000') + 1), 16);
}

export async function createLeveldbStore(options: LeveldbStoreOptions): Promise<DocumentStore> {
  const db = await openLeveldbHandle({ directory: options.directory, logger: options.logger ?? pino({ level: 'silent' }) });
  return new LeveldbStore(db, options.fsync);
}

class LeveldbStore implements DocumentStore {
  readonly #db: Db;
  readonly #commits: GroupCommitter<WriteOp>;
  #closed: Promise<void> | null = null;

  constructor(db: Db, fsync: boolean) {
    this.#db = db;
    const writeOptions = { sync: fsync };
    this.#commits = new GroupCommitter<WriteOp>((ops) => this.#db.batch(ops, writeOptions));
  }

  async load(name: string): Promise<StoredDocument> {
    const [snapshot, compactedThrough] = await this.#db.getMany([Space.snapshot + name, Space.compactedThrough + name]);
    const log: Uint8Array[] = [];
    let lastSeq = 0;
    for await (const [key, value] of this.#db.iterator(logRange(name, decodeSeq(compactedThrough)))) {
      log.push(value);
      lastSeq = seqOfLogKey(key);
    }
    if (log.length === 0 && snapshot !== null) {
      // The log was emptied by a compaction: continue numbering after what it deleted.
      lastSeq = (await this.#readMeta(name))?.lastSeq ?? 0;
    }
    return { snapshot: snapshot ?? null, log, lastSeq };
  }

  appendUpdates(name: string, firstSeq: number, updates: Uint8Array[], stats: DocumentStats | null): Promise<void> {
    const ops: WriteOp[] = updates.map((update, i) => ({ type: 'put', key: logKey(name, firstSeq + i), value: update }));
    if (stats) ops.push(this.#metaPut(name, stats, firstSeq + updates.length - 1));
    return this.#commits.submit(ops, updates.reduce((bytes, update) => bytes + update.length, 0));
  }

  async compact(name: string, snapshot: Uint8Array, throughSeq: number, stats: DocumentStats): Promise<void> {
    const previous = decodeSeq(await this.#db.get(Space.compactedThrough + name));
    await this.#commits.submit(
      [
        { type: 'put', key: Space.snapshot + name, value: snapshot },
        { type: 'put', key: Space.compactedThrough + name, value: encodeSeq(throughSeq) },
        this.#metaPut(name, stats, throughSeq),
      ],
      snapshot.length,
    );
    // Loading starts after the compaction point, so the entries it covers are dead from here
    // on: they need not go in the atomic write above, and LevelDB deletes the range natively
    // (listing 500 keys in JavaScript to delete them one by one cost more than the rest of a
    // compaction). Should this fail or the process die first, they are merely never read.
    await this.#db.clear({ ...logRange(name, previous), lte: logKey(name, throughSeq) });
  }

  async list(): Promise<DocumentInfo[]> {
    const documents: DocumentInfo[] = [];
    for await (const [key, value] of this.#db.iterator({ gt: Space.meta, lt: `${Space.meta}\uffff` })) {
      const meta = parseMeta(value);
      documents.push({ name: key.slice(Space.meta.length), bytes: meta.bytes, updatedAt: meta.updatedAt });
    }
    return documents;
  }

  close(): Promise<void> {
    this.#closed ??= this.#commits.drain().then(() => this.#db.close());
    return this.#closed;
  }

  async #readMeta(name: string): Promise<StoredMeta | null> {
    const value = await this.#db.get(Space.meta + name);
    return value ? parseMeta(value) : null;
  }

  #metaPut(name: string, stats: DocumentStats, lastSeq: number): WriteOp {
    const meta: StoredMeta = { bytes: stats.bytes, updatedAt: stats.updatedAt, lastSeq };
    return { type: 'put', key: Space.meta + name, value: json.encoder.encode(JSON.stringify(meta)) };
  }
}

interface StoredMeta extends DocumentStats {
  lastSeq: number;
}

function encodeSeq(seq: number): Bytes {
  return json.encoder.encode(String(seq));
}

/** A stored compaction point; 0 when there is none (never compacted, or written before it was kept). */
function decodeSeq(value: Bytes | undefined): number {
  if (!value) return 0;
  const seq = Number(json.decoder.decode(value));
  return Number.isSafeInteger(seq) && seq > 0 ? seq : 0;
}

function parseMeta(value: Bytes): StoredMeta {
  return JSON.parse(json.decoder.decode(value)) as StoredMeta;
}
