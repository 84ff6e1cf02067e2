/**
 * Revocations kept in PostgreSQL (table `revocations`, postgres-schema.ts), shared by every process
 * on the schema: at start every stored one is loaded into the RevocationList; a new one from the
 * admin API is stored first and applied here only once stored; and every `pollMs` (default 5 s)
 * the rows above the highest id seen are read and applied. So a member started later, restarted,
 * or one that missed every pub/sub copy (Redis only makes it immediate) applies a revocation at
 * most `pollMs` plus one query after it was stored. Applying one twice changes nothing
 * (RevocationList.revoke).
 *
 * Polling by "id > highest seen" is only safe if ids become visible in ascending order. Identity
 * values are taken at INSERT, and two concurrent inserts could commit in the other order, so a
 * poll between the commits would skip the lower id for good: inserts take a table lock first
 * (EXCLUSIVE mode: readers are not blocked), so each id is drawn after every lower one committed.
 *
 * PostgreSQL unreachable: `revoke` rejects with RevocationNotStoredError and applies nothing; the
 * poller logs once per outage, keeps trying, and says when it is back.
 */
import pg from 'pg';
import type { Logger } from 'pino';
import { migratePostgres, quoteSchema } from '../persistence/postgres-schema.js';
import type { Revocation, RevocationList, RevocationScope } from './revocation-list.js';

/** How often every process reads revocations stored by the others: the bound on a lost pub/sub message. */
export const REVOCATION_POLL_MS = 5_000;

export interface PostgresRevocationsOptions {
  /** postgres://user:password@host:port/database */
  url: string;
  schema: string;
  revocations: RevocationList;
  logger: Logger;
  /** Default REVOCATION_POLL_MS (tests shorten it). */
  pollMs?: number;
  /** Longest to wait for a connection and for a statement (default 5 s). */
  timeoutMs?: number;
}

export interface RevocationResult {
  readonly revocation: Revocation;
  readonly closed: number;
}

export interface PostgresRevocations {
  /** Stores the revocation in PostgreSQL, then applies it here; rejects with RevocationNotStoredError (nothing applied). */
  readonly revoke: (scope: RevocationScope, now?: number) => Promise<RevocationResult>;
  /** Reads and applies rows stored since the last read (the poller calls it; tests may too). */
  poll(): Promise<void>;
  /** Stops polling and closes the pool. Idempotent. */
  close(): Promise<void>;
}

export class RevocationNotStoredError extends Error {
  readonly code = 'revocation-not-stored';
}

interface RevocationRow {
  id: string;
  sub: string | null;
  doc: string | null;
  revoked_before: string;
}

/** Migrates the schema if needed (the store does too; harmless twice), loads every revocation, starts polling. */
export async function startPostgresRevocations(options: PostgresRevocationsOptions): Promise<PostgresRevocations> {
  const { revocations } = options;
  const logger = options.logger.child({ component: 'revocations' });
  const pollMs = options.pollMs ?? REVOCATION_POLL_MS;
  const timeoutMs = options.timeoutMs ?? 5_000;
  const s = quoteSchema(options.schema);
  // Two connections: one poll and one insert at a time at most (the chain below serialises them).
  const pool = new pg.Pool({
    connectionString: options.url,
    max: 2,
    connectionTimeoutMillis: timeoutMs,
    statement_timeout: timeoutMs,
    query_timeout: timeoutMs + 1_000,
    application_name: 'tandem-revocations',
  });
  pool.on('error', (error) => logger.debug({ err: error }, 'PostgreSQL closed an idle connection'));
  pool.on('connect', (client) => client.on('error', (error) => logger.debug({ err: error }, 'PostgreSQL connection error')));

  let highestId = 0n;
  // Inserts and polls one at a time, so a poll never applies a row between its insert and the
  // request's own apply (which would report 0 connections closed to the admin).
  let chain: Promise<unknown> = Promise.resolve();
  const serially = <T>(work: () => Promise<T>): Promise<T> => {
    const next = chain.then(work, work);
    chain = next.catch(() => undefined);
    return next;
  };

  const readNewRows = async (): Promise<void> => {
    const { rows } = await pool.query<RevocationRow>(`SELECT id, sub, doc, revoked_before FROM ${s}.revocations WHERE id > $1 ORDER BY id`, [
      highestId.toString(),
    ]);
    for (const row of rows) {
      const scope: RevocationScope = { ...(row.sub !== null ? { sub: row.sub } : {}), ...(row.doc !== null ? { doc: row.doc } : {}) };
      const { closed, isNew } = await revocations.revoke(scope, Number(row.revoked_before));
      if (isNew) logger.info({ sub: row.sub, doc: row.doc, closed }, 'revocation stored by another process applied');
      highestId = BigInt(row.id);
    }
  };

  try {
    await migratePostgres(pool, options.schema);
    await readNewRows();
  } catch (error) {
    await pool.end();
    throw error;
  }

  let isFailing = false;
  let timer: NodeJS.Timeout | null = null;
  let closing: Promise<void> | null = null;
  const poll = (): Promise<void> =>
    serially(async () => {
      try {
        await readNewRows();
        if (isFailing) logger.info('revocations: PostgreSQL answers again; polling resumed');
        isFailing = false;
      } catch (error) {
        if (!isFailing) logger.warn({ err: error, pollMs }, 'revocations: reading PostgreSQL failed; new revocations are refused until it answers, polling retries');
        isFailing = true;
      }
    });
  const schedule = (): void => {
    if (closing) return;
    timer = setTimeout(() => void poll().then(schedule), pollMs);
    timer.unref();
  };
  schedule();

  return {
    revoke: (scope, now = Date.now()) =>
      serially(async () => {
        try {
          await insert(pool, s, scope, now);
        } catch (error) {
          throw new RevocationNotStoredError(`revocation not stored in PostgreSQL: ${(error as Error).message}`, { cause: error });
        }
        // highestId stays: rows other processes stored below this one are still to be read.
        return revocations.revoke(scope, now);
      }),
    poll,
    close() {
      closing ??= (async () => {
        if (timer) clearTimeout(timer);
        await chain;
        await pool.end();
      })();
      return closing;
    },
  };
}

async function insert(pool: pg.Pool, s: string, scope: RevocationScope, before: number): Promise<void> {
  const client = await pool.connect();
  let failed: Error | undefined;
  try {
    await client.query('BEGIN');
    await client.query(`LOCK TABLE ${s}.revocations IN EXCLUSIVE MODE`);
    await client.query(`INSERT INTO ${s}.revocations (sub, doc, revoked_before) VALUES ($1, $2, $3)`, [scope.sub ?? null, scope.doc ?? null, before]);
    await client.query('COMMIT');
  } catch (error) {
    failed = error instanceof Error ? error : new Error(String(error));
    throw error;
  } finally {
    // Released with the error, the connection is closed, which rolls its transaction back.
    client.release(failed);
  }
}
