/**
 * `tandem migrate`: creates or migrates Tandem's PostgreSQL schema and exits. Servers do the same
 * at start (safely when several start at once), so this is for operators who want the schema
 * in place, or its version checked, before rolling out.
 */
import { parseArgs } from 'node:util';
import pg from 'pg';
import { ConfigError, parseServeConfig } from '../config.js';
import { migratePostgres } from './postgres-schema.js';

export const MIGRATE_USAGE = `Usage: tandem migrate [--database-url postgres://…] [--database-schema tandem]

Creates or migrates Tandem's tables in the PostgreSQL schema (default: tandem) and exits.
DATABASE_URL and TANDEM_DATABASE_SCHEMA are read when the flags are not given. Servers started
with --database-url migrate by themselves; this command is optional.
`;

type Env = Readonly<Record<string, string | undefined>>;

export async function runMigrateCommand(argv: readonly string[], env: Env): Promise<string> {
  try {
    parseArgs({ args: [...argv], options: { 'database-url': { type: 'string' }, 'database-schema': { type: 'string' } }, strict: true });
  } catch (error) {
    throw new ConfigError(error instanceof Error ? error.message : String(error));
  }
  // The same validation as `tandem serve`, fed only what concerns the database.
  const { DATABASE_URL, TANDEM_DATABASE_SCHEMA } = env;
  const config = parseServeConfig(argv, { DATABASE_URL, TANDEM_DATABASE_SCHEMA });
  const { databaseUrl, databaseSchema } = config.cluster;
  if (databaseUrl === null) throw new ConfigError('--database-url (or DATABASE_URL) is required');
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 1, connectionTimeoutMillis: 10_000 });
  // An idle connection cut by the server is reported by the query that needs it instead.
  pool.on('error', () => undefined);
  try {
    const { from, to } = await migratePostgres(pool, databaseSchema);
    return from === to ? `PostgreSQL schema ${databaseSchema} is up to date (version ${to}).` : `PostgreSQL schema ${databaseSchema} migrated from version ${from} to ${to}.`;
  } finally {
    await pool.end();
  }
}
