/**
 * Pending webhook deliveries on disk, so they survive a restart: a small LevelDB database of its
 * own (`<dataDir>/webhooks`), one JSON record per (event, URL). Writes are collected and written
 * in one batch per turn, in order, off the caller's path; a failed write is logged, never thrown
 * (the delivery still goes out from memory, it would only be lost by a crash).
 */
import { Level } from 'level';
import type { Logger } from 'pino';
import type { WebhookDelivery } from './webhook-event.js';

type Op = { type: 'put'; key: string; value: WebhookDelivery } | { type: 'del'; key: string };

export interface WebhookOutbox {
  /** Every stored delivery, oldest first. */
  loadAll(): Promise<WebhookDelivery[]>;
  put(delivery: WebhookDelivery): void;
  remove(key: string): void;
  /** Writes what is queued, then closes. */
  close(): Promise<void>;
}

export async function openLeveldbOutbox(directory: string, logger: Logger): Promise<WebhookOutbox> {
  const db = new Level<string, WebhookDelivery>(directory, { valueEncoding: 'json' });
  await db.open();
  let queued: Op[] = [];
  let writing: Promise<void> = Promise.resolve();
  let scheduled = false;
  const flush = (): Promise<void> => {
    scheduled = false;
    const ops = queued;
    queued = [];
    if (ops.length === 0) return writing;
    writing = writing.then(() =>
      db.batch(ops).catch((error: unknown) => logger.error({ err: error, ops: ops.length }, 'webhooks: writing the outbox failed')),
    );
    return writing;
  };
  const enqueue = (op: Op): void => {
    queued.push(op);
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => void flush());
  };
  return {
    async loadAll() {
      const all: WebhookDelivery[] = [];
      for await (const value of db.values()) all.push(value);
      return all;
    },
    put: (delivery) => enqueue({ type: 'put', key: delivery.key, value: delivery }),
    remove: (key) => enqueue({ type: 'del', key }),
    async close() {
      await flush();
      await db.close();
    },
  };
}
