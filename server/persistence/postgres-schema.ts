/**
 * Tandem's tables in PostgreSQL, created and migrated by whichever process starts first. Every
 * member migrates at start, so several may try at once: each takes a transaction-scoped advisory
 * lock (keyed by the schema's name) before looking, so one migrates while the others wait and
 * then find the work done. The applied version is kept in `<schema>.schema_version`; a database
 * migrated by a newer Tandem than this one is refused rather than written with old assumptions.
 *
 * Tables: `documents` (one row per document: snapshot, its generation, listed stats) and
 * `updates` (the log: position from an identity column, so positions are assigned by the
 * database, ascending and never reused, whichever process appends); since version 2
 * `revocations` (revoked tokens, read by every process; ids ascending in commit order); since
 * version 3 `webhook_outbox` (pending webhook deliveries, leased by the process delivering them);
 * since version 4 `versions` (a document's past states, ids from an identity column).
 */
import type pg from 'pg';

/** A schema name as server/config/cluster-config.ts accepts it. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export class SchemaVersionError extends Error {
  readonly code = 'SCHEMA_TOO_NEW';
}

/** `"name"`, for SQL text; refuses anything but a plain lower-case SQL name. */
export function quoteSchema(schema: string): string {
  if (!SCHEMA_NAME.test(schema)) throw new Error(`invalid PostgreSQL schema name ${JSON.stringify(schema)}: use lower-case letters, digits and _`);
  return `"${schema}"`;
}

/** Migration N brings the schema from version N-1 to N; `s` is the quoted schema. */
const MIGRATIONS: ((s: string) => string)[] = [
  (s) => `
    CREATE TABLE ${s}.documents (
      name text PRIMARY KEY,
      generation bigint NOT NULL DEFAULT 0,
      snapshot bytea,
      bytes bigint,
      updated_at bigint
    );
    CREATE TABLE ${s}.updates (
      position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      name text NOT NULL,
      data bytea NOT NULL
    );
    CREATE INDEX updates_by_document ON ${s}.updates (name, position);
  `,
  // Revocations shared by every process (server/auth/postgres-revocations.ts): members load all
  // of them at start and then poll for ids above the highest they have.
  (s) => `
    CREATE TABLE ${s}.revocations (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      sub text,
      doc text,
      revoked_before bigint NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      CHECK (sub IS NOT NULL OR doc IS NOT NULL)
    );
  `,
  // Pending webhook deliveries (server/webhooks/postgres-outbox.ts): each row is delivered by the
  // process holding its lease; a stopped or crashed process's rows are adopted at the next start.
  (s) => `
    CREATE TABLE ${s}.webhook_outbox (
      key text PRIMARY KEY,
      owner text NOT NULL,
      lease_until bigint NOT NULL,
      created_at bigint NOT NULL,
      delivery jsonb NOT NULL
    );
    CREATE INDEX webhook_outbox_by_lease ON ${s}.webhook_outbox (lease_until);
  `,
  // Version history (server/history/): one row per version; the state in `data`, encoded as
  // `encoding` says. Ids come from the identity column, so every process numbers ascending.
  (s) => `
    CREATE TABLE ${s}.versions (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      name text NOT NULL,
      kind text NOT NULL,
      label text,
      created_at bigint NOT NULL,
      bytes bigint NOT NULL,
      stored_bytes bigint NOT NULL,
      encoding text NOT NULL,
      editors jsonb NOT NULL,
      data bytea NOT NULL
    );
    CREATE INDEX versions_by_document ON ${s}.versions (name, id);
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export interface MigrationResult {
  schema: string;
  from: number;
  to: number;
}

export async function migratePostgres(pool: pg.Pool, schema: string): Promise<MigrationResult> {
  const s = quoteSchema(schema);
  const client = await pool.connect();
  let failed: Error | undefined;
  try {
    await client.query('BEGIN');
    // hashtextextended: a 64-bit lock key from the name; held until COMMIT/ROLLBACK.
    await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`tandem-migrate:${schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${s}.schema_version (version integer NOT NULL, migrated_at timestamptz NOT NULL DEFAULT now())`);
    const { rows } = await client.query<{ version: number | null }>(`SELECT max(version) AS version FROM ${s}.schema_version`);
    const from = rows[0]?.version ?? 0;
    if (from > SCHEMA_VERSION) {
      throw new SchemaVersionError(`PostgreSQL schema ${schema} is at version ${from}, newer than this Tandem knows (${SCHEMA_VERSION}): upgrade Tandem`);
    }
    for (let version = from + 1; version <= SCHEMA_VERSION; version++) {
      await client.query(MIGRATIONS[version - 1]!(s));
      await client.query(`INSERT INTO ${s}.schema_version (version) VALUES ($1)`, [version]);
    }
    await client.query('COMMIT');
    return { schema, from, to: Math.max(from, SCHEMA_VERSION) };
  } catch (error) {
    failed = error instanceof Error ? error : new Error(String(error));
    throw error;
  } finally {
    // Released with the error, the connection is closed, which rolls its transaction back.
    client.release(failed);
  }
}
