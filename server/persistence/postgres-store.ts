/**
 * DocumentStore on PostgreSQL (package `pg`), shared by every process of a cluster. Tables are
 * in postgres-schema.ts: `documents` (snapshot, generation, listed stats) and `updates` (the log,
 * positions from an identity column).
 *
 * - Appends from all documents are group-committed (group-commit.ts) as one statement per
 *   group: one INSERT … SELECT FROM unnest(…) for the log entries, one upsert for the stats.
 * - A load is one statement (snapshot row UNION ALL log rows), so it reads one MVCC snapshot:
 *   as consistent as a REPEATABLE READ transaction, in one round trip.
 * - Compaction is one transaction: a try-lock on the document (pg_try_advisory_xact_lock: one
 *   process compacts a document at a time, the others give up at once), a compare-and-set of
 *   the generation, and DELETE … WHERE position = ANY(the cursor's positions). Entries another
 *   process appended after the load are not in the cursor and stay; positions from another
 *   process's transaction that committed late may be lower than the cursor's, which is why the
 *   cursor lists positions instead of a "through" bound.
 *
 * Connection trouble never crashes the process: the pool and every client have 'error'
 * listeners; a failed call rejects and the caller (DocumentWriter) retries. Statements are
 * bounded by statement_timeout on the server and query_timeout on the client.
 */
import pg from 'pg';
import type { Logger } from 'pino';
import type { DocumentInfo, DocumentStats, DocumentStore, StoreCursor, StoredDocument } from './document-store.js';
import { decodeVersionState, prepareVersion, type NewVersion, type StoredVersion, type VersionEditor, type VersionEncoding, type VersionInfo, type VersionKind } from './document-versions.js';
import { GroupCommitter } from './group-commit.js';
import { migratePostgres, quoteSchema } from './postgres-schema.js';

export interface PostgresStoreOptions {
  /** postgres://user:password@host:port/database */
  url: string;
  /** Schema of Tandem's tables; created or migrated when the store opens. */
  schema: string;
  logger: Logger;
  /** Connections at most (default 10). */
  poolSize?: number;
  /** Longest a statement may run (default 30 s). */
  statementTimeoutMs?: number;
  /** Longest to wait for a connection (default 5 s). */
  connectTimeoutMs?: number;
}

type AppendOp = { name: string; update: Uint8Array } | { name: string; stats: DocumentStats };

const PING_TIMEOUT_MS = 2_000;

export async function createPostgresStore(options: PostgresStoreOptions): Promise<DocumentStore> {
  const { logger } = options;
  const statementTimeoutMs = options.statementTimeoutMs ?? 30_000;
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
    statement_timeout: statementTimeoutMs,
    // The client-side bound, for a server that stops answering without closing the connection.
    query_timeout: statementTimeoutMs + 5_000,
    application_name: 'tandem',
  });
  pool.on('error', (error) => logger.warn({ err: error }, 'PostgreSQL closed an idle connection; a new one is opened when needed'));
  // A client checked out of the pool has no pool listener: without this, a connection cut
  // between two statements of a transaction would be an unhandled 'error' event.
  pool.on('connect', (client) => client.on('error', (error) => logger.debug({ err: error }, 'PostgreSQL connection error')));
  try {
    const migration = await migratePostgres(pool, options.schema);
    if (migration.from !== migration.to) logger.info(migration, 'PostgreSQL schema migrated');
  } catch (error) {
    await pool.end();
    throw error;
  }
  return new PostgresStore(pool, options.schema);
}

class PostgresStore implements DocumentStore {
  readonly #pool: pg.Pool;
  readonly #schema: string;
  readonly #sql: ReturnType<typeof statements>;
  readonly #commits: GroupCommitter<AppendOp>;
  #closed: Promise<void> | null = null;

  constructor(pool: pg.Pool, schema: string) {
    this.#pool = pool;
    this.#schema = schema;
    this.#sql = statements(quoteSchema(schema));
    this.#commits = new GroupCommitter<AppendOp>((ops) => this.#writeAppends(ops));
  }

  async load(name: string): Promise<StoredDocument> {
    const { rows } = await this.#pool.query<{ position: string | null; generation: string | null; data: Buffer | null }>(this.#sql.load, [name]);
    let snapshot: Uint8Array | null = null;
    let snapshotGeneration = 0;
    const log: Uint8Array[] = [];
    const positions: number[] = [];
    for (const row of rows) {
      if (row.position === null) {
        snapshot = row.data;
        snapshotGeneration = Number(row.generation);
      } else {
        log.push(row.data!);
        positions.push(Number(row.position));
      }
    }
    return { snapshot, log, cursor: { snapshotGeneration, positions } };
  }

  appendUpdates(name: string, updates: Uint8Array[], stats: DocumentStats | null): Promise<void> {
    if (updates.length === 0) return Promise.resolve();
    const ops: AppendOp[] = updates.map((update) => ({ name, update }));
    if (stats) ops.push({ name, stats });
    return this.#commits.submit(ops, updates.reduce((bytes, update) => bytes + update.length, 0));
  }

  async compact(name: string, snapshot: Uint8Array, cursor: StoreCursor, stats: DocumentStats): Promise<boolean> {
    return this.#transaction(async (client) => {
      const { rows } = await client.query<{ locked: boolean }>(this.#sql.tryLock, [`tandem-compact:${this.#schema}:${name}`]);
      if (!rows[0]?.locked) return false; // another process is compacting it right now
      const replace = cursor.snapshotGeneration === 0 ? this.#sql.replaceFirstSnapshot : this.#sql.replaceSnapshot;
      const replaced = await client.query(replace, [name, cursor.snapshotGeneration, snapshot, stats.bytes, stats.updatedAt]);
      if (replaced.rowCount === 0) return false; // compacted or deleted since the load
      if (cursor.positions.length > 0) await client.query(this.#sql.deleteEntries, [name, cursor.positions]);
      return true;
    });
  }

  async delete(name: string): Promise<void> {
    await this.#pool.query(this.#sql.deleteDocument, [name]);
  }

  async list(): Promise<DocumentInfo[]> {
    const { rows } = await this.#pool.query<{ name: string; bytes: string; updated_at: string }>(this.#sql.list);
    return rows.map((row) => ({ name: row.name, bytes: Number(row.bytes), updatedAt: Number(row.updated_at) }));
  }

  async addVersion(name: string, version: NewVersion): Promise<number> {
    const { record, data } = await prepareVersion(version);
    const { rows } = await this.#pool.query<{ id: string }>(this.#sql.addVersion, [
      name,
      record.kind,
      record.name,
      record.createdAt,
      record.bytes,
      record.storedBytes,
      record.encoding,
      JSON.stringify(record.editors),
      data,
    ]);
    return Number(rows[0]!.id);
  }

  async listVersions(name: string): Promise<VersionInfo[]> {
    const { rows } = await this.#pool.query<VersionRow>(this.#sql.listVersions, [name]);
    return rows.map(versionInfoOf);
  }

  async loadVersion(name: string, id: number): Promise<StoredVersion | null> {
    if (!Number.isSafeInteger(id) || id <= 0) return null;
    const { rows } = await this.#pool.query<VersionRow & { data: Buffer }>(this.#sql.loadVersion, [name, id]);
    const row = rows[0];
    if (!row) return null;
    const info = versionInfoOf(row);
    return { ...info, state: await decodeVersionState(row.data, info.encoding) };
  }

  async deleteVersions(name: string, ids: number[]): Promise<void> {
    const valid = ids.filter((id) => Number.isSafeInteger(id) && id > 0);
    if (valid.length > 0) await this.#pool.query(this.#sql.deleteVersions, [name, valid]);
  }

  async ping(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`PostgreSQL did not answer within ${PING_TIMEOUT_MS} ms`)), PING_TIMEOUT_MS);
    });
    try {
      await Promise.race([this.#pool.query('SELECT 1'), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  close(): Promise<void> {
    this.#closed ??= this.#commits.drain().then(() => this.#pool.end());
    return this.#closed;
  }

  async #writeAppends(ops: AppendOp[]): Promise<void> {
    const names: string[] = [];
    const data: Uint8Array[] = [];
    const stats = new Map<string, DocumentStats>();
    for (const op of ops) {
      if ('update' in op) {
        names.push(op.name);
        data.push(op.update);
      } else {
        stats.set(op.name, op.stats); // the newest per document
      }
    }
    // Sorted, so that processes upserting several rows lock them in one order (no deadlocks).
    const listed = [...stats].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    await this.#pool.query(this.#sql.append, [
      names,
      data,
      listed.map(([name]) => name),
      listed.map(([, s]) => s.bytes),
      listed.map(([, s]) => s.updatedAt),
    ]);
  }

  /** Runs `work` in a transaction: COMMIT when it returns, ROLLBACK when it returns false or throws. */
  async #transaction(work: (client: pg.PoolClient) => Promise<boolean>): Promise<boolean> {
    const client = await this.#pool.connect();
    let failed: Error | undefined;
    try {
      await client.query('BEGIN');
      const done = await work(client);
      await client.query(done ? 'COMMIT' : 'ROLLBACK');
      return done;
    } catch (error) {
      failed = error instanceof Error ? error : new Error(String(error));
      throw error;
    } finally {
      // Released with the error, the connection is closed, which rolls back what it had begun.
      client.release(failed);
    }
  }
}

interface VersionRow {
  id: string;
  kind: string;
  label: string | null;
  created_at: string;
  bytes: string;
  stored_bytes: string;
  encoding: string;
  editors: VersionEditor[];
}

function versionInfoOf(row: VersionRow): VersionInfo {
  return {
    id: Number(row.id),
    kind: row.kind as VersionKind,
    name: row.label,
    createdAt: Number(row.created_at),
    bytes: Number(row.bytes),
    storedBytes: Number(row.stored_bytes),
    encoding: row.encoding as VersionEncoding,
    editors: row.editors,
  };
}

const VERSION_COLUMNS = 'id, kind, label, created_at, bytes, stored_bytes, encoding, editors';

function statements(s: string) {
  return {
    load: `
      SELECT NULL::bigint AS position, generation, snapshot AS data FROM ${s}.documents WHERE name = $1
      UNION ALL
      SELECT position, NULL, data FROM ${s}.updates WHERE name = $1
      ORDER BY position NULLS FIRST`,
    append: `
      WITH appended AS (
        INSERT INTO ${s}.updates (name, data)
        SELECT u.name, u.data FROM unnest($1::text[], $2::bytea[]) WITH ORDINALITY AS u(name, data, ord) ORDER BY u.ord
      ), listed AS (
        INSERT INTO ${s}.documents (name, bytes, updated_at)
        SELECT * FROM unnest($3::text[], $4::bigint[], $5::bigint[])
        ON CONFLICT (name) DO UPDATE SET bytes = excluded.bytes, updated_at = excluded.updated_at
      )
      SELECT 1`,
    tryLock: 'SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0)) AS locked',
    replaceFirstSnapshot: `
      INSERT INTO ${s}.documents AS d (name, generation, snapshot, bytes, updated_at)
      SELECT $1, $2::bigint + 1, $3, $4, $5
      ON CONFLICT (name) DO UPDATE SET generation = d.generation + 1, snapshot = excluded.snapshot, bytes = excluded.bytes, updated_at = excluded.updated_at
      WHERE d.generation = $2
      RETURNING 1`,
    replaceSnapshot: `
      UPDATE ${s}.documents SET generation = generation + 1, snapshot = $3, bytes = $4, updated_at = $5
      WHERE name = $1 AND generation = $2
      RETURNING 1`,
    deleteEntries: `DELETE FROM ${s}.updates WHERE name = $1 AND position = ANY($2::bigint[])`,
    deleteDocument: `
      WITH bumped AS (
        INSERT INTO ${s}.documents AS d (name, generation) VALUES ($1, 1)
        ON CONFLICT (name) DO UPDATE SET generation = d.generation + 1, snapshot = NULL, bytes = NULL, updated_at = NULL
      ), versions AS (
        DELETE FROM ${s}.versions WHERE name = $1
      )
      DELETE FROM ${s}.updates WHERE name = $1`,
    addVersion: `
      INSERT INTO ${s}.versions (name, kind, label, created_at, bytes, stored_bytes, encoding, editors, data)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9)
      RETURNING id`,
    listVersions: `SELECT ${VERSION_COLUMNS} FROM ${s}.versions WHERE name = $1 ORDER BY id DESC`,
    loadVersion: `SELECT ${VERSION_COLUMNS}, data FROM ${s}.versions WHERE name = $1 AND id = $2`,
    deleteVersions: `DELETE FROM ${s}.versions WHERE name = $1 AND id = ANY($2::bigint[])`,
    list: `SELECT name, bytes, updated_at FROM ${s}.documents WHERE bytes IS NOT NULL`,
  };
}
