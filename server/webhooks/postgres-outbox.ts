/**
 * Pending webhook deliveries in PostgreSQL (`<schema>.webhook_outbox`), for servers storing
 * documents there. Each row is leased by the process that recorded it (a random owner id per
 * process), which delivers it; the lease is renewed while the process runs and released on a
 * normal stop. At start a process adopts every row whose lease is released or expired, so a
 * restarted member (or another one, after a crash) delivers what was pending, with its ids; the
 * UPDATE's row locks let only one process adopt a row. Writes are batched per turn, in order, and
 * a failed write is logged, never thrown.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { Logger } from 'pino';
import { quoteSchema } from '../persistence/postgres-schema.js';
import type { WebhookDelivery } from './webhook-event.js';
import type { WebhookOutbox } from './webhook-outbox.js';

export interface PostgresOutboxOptions {
  url: string;
  schema: string;
  logger: Logger;
  /** How long a row stays with this process without a renewal (renewed every third of it). */
  leaseMs?: number;
}

const DEFAULT_LEASE_MS = 60_000;

/** The schema must already be migrated (the PostgreSQL store does that at start). */
export function openPostgresOutbox(options: PostgresOutboxOptions): WebhookOutbox {
  const { logger } = options;
  const s = quoteSchema(options.schema);
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const owner = randomUUID();
  const pool = new pg.Pool({
    connectionString: options.url,
    max: 2,
    connectionTimeoutMillis: 5_000,
    statement_timeout: 10_000,
    query_timeout: 11_000,
    application_name: 'tandem-webhooks',
  });
  pool.on('error', (error) => logger.debug({ err: error }, 'webhooks: PostgreSQL closed an idle connection'));

  let puts = new Map<string, WebhookDelivery>();
  let removes = new Set<string>();
  let writing: Promise<void> = Promise.resolve();
  let scheduled = false;
  const serially = (what: string, work: () => Promise<unknown>): Promise<void> => {
    writing = writing.then(work).then(
      () => undefined,
      (error: unknown) => logger.error({ err: error }, `webhooks: ${what} failed`),
    );
    return writing;
  };
  const flush = (): Promise<void> => {
    scheduled = false;
    const upserts = [...puts.values()];
    const deletes = [...removes];
    puts = new Map();
    removes = new Set();
    if (upserts.length === 0 && deletes.length === 0) return writing;
    return serially('writing the outbox', async () => {
      if (upserts.length > 0) {
        await pool.query(
          `INSERT INTO ${s}.webhook_outbox (key, owner, lease_until, created_at, delivery)
           SELECT d->>'key', $1, $2, (d->>'createdAt')::bigint, d FROM jsonb_array_elements($3::jsonb) AS d
           ON CONFLICT (key) DO UPDATE SET delivery = EXCLUDED.delivery, owner = EXCLUDED.owner, lease_until = EXCLUDED.lease_until`,
          [owner, Date.now() + leaseMs, JSON.stringify(upserts)],
        );
      }
      if (deletes.length > 0) await pool.query(`DELETE FROM ${s}.webhook_outbox WHERE key = ANY($1)`, [deletes]);
    });
  };
  const later = (): void => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => void flush());
  };
  const renew = setInterval(() => {
    void serially('renewing the outbox lease', () =>
      pool.query(`UPDATE ${s}.webhook_outbox SET lease_until = $2 WHERE owner = $1`, [owner, Date.now() + leaseMs]),
    );
  }, Math.max(1, Math.floor(leaseMs / 3)));
  renew.unref();

  return {
    async loadAll() {
      const { rows } = await pool.query<{ delivery: WebhookDelivery }>(
        `UPDATE ${s}.webhook_outbox SET owner = $1, lease_until = $2 WHERE lease_until < $3 RETURNING delivery`,
        [owner, Date.now() + leaseMs, Date.now()],
      );
      return rows.map((row) => row.delivery);
    },
    put(delivery) {
      removes.delete(delivery.key);
      puts.set(delivery.key, { ...delivery });
      later();
    },
    remove(key) {
      puts.delete(key);
      removes.add(key);
      later();
    },
    async close() {
      clearInterval(renew);
      await flush();
      // Released: the next process to start adopts these rows at once.
      await serially('releasing the outbox', () => pool.query(`UPDATE ${s}.webhook_outbox SET lease_until = 0 WHERE owner = $1`, [owner]));
      await pool.end();
    },
  };
}
