/**
 * The machine's PostgreSQL for integration tests: DATABASE_URL when set, else the local server's
 * database `test` (CI starts it, see .ci/run). Tests share it, so each works in a schema of its
 * own, with a random name, dropped on dispose.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export function machineDatabaseUrl(): string {
  return process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
}

export interface PostgresTestSchema {
  url: string;
  /** `tandem_test_<label>_<random>`; not created here (the store creates it). */
  schema: string;
  /** Drops the schema and everything in it. */
  dispose(): Promise<void>;
}

export function createPostgresTestSchema(label: string, url: string = machineDatabaseUrl()): PostgresTestSchema {
  const safeLabel = label.toLowerCase().replace(/[^a-z0-9_]/g, '_').slice(0, 30);
  const schema = `tandem_test_${safeLabel}_${randomBytes(5).toString('hex')}`;
  return {
    url,
    schema,
    async dispose() {
      const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
      // A connection cut while dropping rejects the query below, which reports it.
      client.on('error', () => undefined);
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}

/** Wraps a failed connection to the machine's PostgreSQL with what to do about it. */
export function explainMissingPostgres(error: unknown): Error {
  return new Error(`the machine's PostgreSQL at ${machineDatabaseUrl().replace(/\/\/[^@]*@/, '//')} is needed by this test: start it (see .ci/run) or set DATABASE_URL`, {
    cause: error,
  });
}
