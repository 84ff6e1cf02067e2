/**
 * @hocuspocus/server as a cluster instance, as its docs scale it: the Redis extension
 * (@hocuspocus/extension-redis, default lock timeout, disconnect delay and initial-sync wait) for
 * live traffic between instances, and a store every instance shares — the Database extension
 * over PostgreSQL (one row per document, the full state upserted on the default 2 s / 10 s
 * debounce), the shared store its Redis docs assume. Same Hocuspocus settings otherwise as
 * bench/peers/hocuspocus-server.ts.
 *
 * Env: PORT, HOST (default 127.0.0.1), HOCUSPOCUS_DATABASE_URL, HOCUSPOCUS_DATABASE_SCHEMA (a
 * lower-case SQL name, created with its table at start: the harness starts instances one after
 * the other), HOCUSPOCUS_REDIS_URL, HOCUSPOCUS_REDIS_PREFIX (keys and channels).
 */
import { Database } from '@hocuspocus/extension-database';
import { Redis } from '@hocuspocus/extension-redis';
import { Server } from '@hocuspocus/server';
import pg from 'pg';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} must be set`);
  return value;
}

const port = Number(process.env.PORT ?? '1234');
const address = process.env.HOST ?? '127.0.0.1';
const databaseUrl = required('HOCUSPOCUS_DATABASE_URL');
const schema = required('HOCUSPOCUS_DATABASE_SCHEMA');
const redisUrl = new URL(required('HOCUSPOCUS_REDIS_URL'));
const prefix = required('HOCUSPOCUS_REDIS_PREFIX');
if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`HOCUSPOCUS_DATABASE_SCHEMA: ${schema} is not a lower-case SQL name`);

const pool = new pg.Pool({ connectionString: databaseUrl, max: 4 });
const table = `"${schema}"."documents"`;
await pool.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
await pool.query(`CREATE TABLE IF NOT EXISTS ${table} (name text PRIMARY KEY, data bytea NOT NULL)`);

const server = new Server({
  port,
  address,
  quiet: true,
  extensions: [
    new Redis({
      host: redisUrl.hostname,
      port: Number(redisUrl.port || '6379'),
      prefix,
      options: {
        ...(redisUrl.username ? { username: decodeURIComponent(redisUrl.username) } : {}),
        ...(redisUrl.password ? { password: decodeURIComponent(redisUrl.password) } : {}),
        db: Number(redisUrl.pathname.slice(1) || '0'),
      },
    }),
    new Database({
      fetch: async ({ documentName }) => {
        const result = await pool.query<{ data: Buffer }>(`SELECT data FROM ${table} WHERE name = $1`, [documentName]);
        return result.rows[0]?.data ?? null;
      },
      store: async ({ documentName, state }) => {
        await pool.query(`INSERT INTO ${table} (name, data) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET data = EXCLUDED.data`, [
          documentName,
          state,
        ]);
      },
    }),
  ],
});

await server.listen();
process.stdout.write(`hocuspocus (redis) listening on ${address}:${port}\n`);
