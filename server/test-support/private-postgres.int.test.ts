import { existsSync } from 'node:fs';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { PrivateEngineError } from './engine-process.js';
import { startPrivatePostgres, type PrivatePostgres } from './private-postgres.js';
import { waitFor } from './wait-for.js';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

describe('private PostgreSQL', () => {
  let postgres: PrivatePostgres | null = null;
  let pool: pg.Pool | null = null;

  afterEach(async () => {
    await pool?.end();
    await postgres?.dispose();
    pool = null;
    postgres = null;
  });

  function openPool(server: PrivatePostgres): pg.Pool {
    const created = new pg.Pool({ connectionString: server.url, connectionTimeoutMillis: 2_000 });
    // Idle clients the server cut off report here; the queries below are what the test checks.
    created.on('error', () => undefined);
    return created;
  }

  it('answers queries on database test; queries fail while stopped; after a restart on the same port they work and the data is there', async () => {
    postgres = await startPrivatePostgres();
    pool = openPool(postgres);
    const { rows } = await pool.query<{ db: string; user: string }>('SELECT current_database() AS db, current_user AS user');
    expect(rows).toEqual([{ db: 'test', user: 'postgres' }]);
    await pool.query('CREATE TABLE kept (v text)');
    await pool.query("INSERT INTO kept VALUES ('before stop')");

    const { port, pid: firstPid } = postgres;
    await postgres.stop();
    expect(postgres.isRunning).toBe(false);
    expect(isAlive(firstPid!)).toBe(false);
    await expect(pool.query('SELECT 1')).rejects.toThrow(/ECONNREFUSED|terminat|connect/i);

    await postgres.start();
    expect(postgres.port).toBe(port);
    await waitFor(
      async () => {
        try {
          await pool!.query('SELECT 1');
          return true;
        } catch (error) {
          return !(error instanceof Error);
        }
      },
      { message: 'queries work again' },
    );
    expect((await pool.query<{ v: string }>('SELECT v FROM kept')).rows).toEqual([{ v: 'before stop' }]);
  });

  it('recovers after an immediate (crash-like) stop, keeping committed rows', async () => {
    postgres = await startPrivatePostgres();
    pool = openPool(postgres);
    await pool.query('CREATE TABLE t (n int)');
    await pool.query('INSERT INTO t SELECT generate_series(1, 1000)');
    await postgres.stop({ mode: 'immediate' });
    await postgres.start();
    const client = new pg.Client({ connectionString: postgres.url });
    await client.connect();
    try {
      expect((await client.query<{ n: string }>('SELECT count(*) AS n FROM t')).rows[0]!.n).toBe('1000');
    } finally {
      await client.end();
    }
  });

  it('runs as an unprivileged user and dispose deletes its folder', async () => {
    const own = await startPrivatePostgres();
    const client = new pg.Client({ connectionString: own.url });
    await client.connect();
    const dataDir = (await client.query<{ data_directory: string }>('SHOW data_directory')).rows[0]!.data_directory;
    await client.end();
    expect(existsSync(dataDir)).toBe(true);
    if (process.getuid?.() === 0) {
      const { statSync } = await import('node:fs');
      expect(statSync(dataDir).uid).not.toBe(0);
    }
    const pid = own.pid!;
    await own.dispose();
    expect(isAlive(pid)).toBe(false);
    expect(existsSync(dataDir)).toBe(false);
  });

  it('missing binaries fail with engine-missing naming the Debian package', async () => {
    const error = await startPrivatePostgres({ binDir: '/nonexistent/bin' }).catch((rejection: unknown) => rejection);
    expect(error).toBeInstanceOf(PrivateEngineError);
    expect((error as PrivateEngineError).code).toBe('engine-missing');
    expect((error as Error).message).toMatch(/Debian package postgresql/);
  });
});
