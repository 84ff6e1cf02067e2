import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { findPackageRoot } from '../package-root.js';
import { createPostgresTestSchema, type PostgresTestSchema } from '../test-support/postgres-test-schema.js';
import { migratePostgres, quoteSchema, SCHEMA_VERSION } from './postgres-schema.js';

const run = promisify(execFile);

describe('PostgreSQL schema migration', () => {
  let testSchema: PostgresTestSchema | null = null;
  let pool: pg.Pool | null = null;

  afterEach(async () => {
    await pool?.end();
    await testSchema?.dispose();
    pool = null;
    testSchema = null;
  });

  function openPool(url: string): pg.Pool {
    const opened = new pg.Pool({ connectionString: url, max: 2 });
    opened.on('error', () => undefined); // idle-client errors; the queries report what matters
    return opened;
  }

  it('four `tandem migrate` processes started at once create the schema once, and all succeed', async () => {
    testSchema = createPostgresTestSchema('migrate4');
    const root = findPackageRoot();
    const { DATABASE_URL: _ignored, ...env } = process.env;
    const migrate = () =>
      run(process.execPath, ['--import', 'tsx', path.join(root, 'server', 'cli.ts'), 'migrate', '--database-url', testSchema!.url, '--database-schema', testSchema!.schema], {
        cwd: root,
        env,
        timeout: 60_000,
      });
    // allSettled: a failing process must not leave the others creating the schema after disposal.
    const settled = await Promise.allSettled([migrate(), migrate(), migrate(), migrate()]);
    const failures = settled.flatMap((result) => (result.status === 'rejected' ? [String(result.reason)] : []));
    expect(failures).toEqual([]);
    const outputs = settled.map((result) => (result.status === 'fulfilled' ? result.value.stdout.trim() : '')).sort();
    expect(outputs.filter((line) => line.includes(`migrated from version 0 to ${SCHEMA_VERSION}`))).toHaveLength(1);
    expect(outputs.filter((line) => line.includes('is up to date'))).toHaveLength(3);
    pool = openPool(testSchema.url);
    const { rows } = await pool.query<{ version: number }>(`SELECT version FROM ${quoteSchema(testSchema.schema)}.schema_version ORDER BY version`);
    // Each migration applied exactly once.
    expect(rows.map((row) => row.version)).toEqual(Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1));
  }, 90_000);

  it('four pools migrating at once in one process: one migrates, the others find it done', async () => {
    testSchema = createPostgresTestSchema('migrate_pools');
    const pools = Array.from({ length: 4 }, () => openPool(testSchema!.url));
    try {
      const results = await Promise.all(pools.map((each) => migratePostgres(each, testSchema!.schema)));
      expect(results.map((result) => result.from).sort()).toEqual([0, SCHEMA_VERSION, SCHEMA_VERSION, SCHEMA_VERSION]);
    } finally {
      await Promise.all(pools.map((each) => each.end()));
    }
  });

  it('refuses a schema migrated by a newer Tandem', async () => {
    testSchema = createPostgresTestSchema('too_new');
    pool = openPool(testSchema.url);
    await migratePostgres(pool, testSchema.schema);
    await pool.query(`INSERT INTO ${quoteSchema(testSchema.schema)}.schema_version (version) VALUES ($1)`, [SCHEMA_VERSION + 1]);
    await expect(migratePostgres(pool, testSchema.schema)).rejects.toThrow(/newer than this Tandem knows/);
  });

  it('quotes only plain lower-case schema names', () => {
    expect(quoteSchema('tandem_2')).toBe('"tandem_2"');
    expect(() => quoteSchema('x"; DROP TABLE y; --')).toThrow(/invalid PostgreSQL schema name/);
  });
});
