/**
 * PostgreSQL stopped under a live writer, on a private server (private-postgres.ts) so stopping
 * it touches nothing else. A missing PostgreSQL installation fails these tests with what to
 * install; they are never skipped.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { startPrivatePostgres, type PrivatePostgres } from '../test-support/private-postgres.js';
import { waitFor } from '../test-support/wait-for.js';
import { DocumentWriter } from './document-writer.js';
import { createPostgresStore } from './postgres-store.js';

describe('PostgreSQL store: the database stops and comes back', () => {
  let postgres: PrivatePostgres;
  const logLines: string[] = [];
  const logger = pino(
    { level: 'warn' },
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        logLines.push(chunk.toString());
        done();
      },
    }),
  );

  beforeAll(async () => {
    postgres = await startPrivatePostgres();
  }, 60_000);

  afterAll(async () => {
    await postgres?.dispose();
  });

  it.each(['fast', 'immediate'] as const)(
    'stop (%s): writes are retried, nothing is acknowledged before it is stored, everything is stored after',
    async (mode) => {
      const schema = `outage_${mode}`;
      const store = await createPostgresStore({ url: postgres.url, schema, logger, poolSize: 3, connectTimeoutMs: 1_000 });
      const doc = new Y.Doc();
      const writer = new DocumentWriter({
        name: 'doc',
        store,
        logger,
        compaction: { maxLogEntries: 1_000, maxLogBytes: 1 << 30 },
        encodeSnapshot: () => Y.encodeStateAsUpdate(doc),
        catchUp: (updates) => doc.transact(() => updates.forEach((update) => Y.applyUpdate(doc, update)), 'catch-up'),
        initial: { snapshotGeneration: 0, logEntries: 0, logBytes: 0, snapshotBytes: 0 },
        retryDelayMs: { initial: 50, max: 400 },
      });
      doc.on('update', (update: Uint8Array, origin: unknown) => {
        if (origin !== 'catch-up') writer.enqueue(update);
      });
      try {
        doc.getText('t').insert(0, 'before ');
        await writer.whenDurable();

        await postgres.stop({ mode });
        await expect(store.ping()).rejects.toThrow();
        const failures = (): number => logLines.filter((line) => line.includes('store write failed')).length;
        const failedBefore = failures();
        let acknowledged = false;
        doc.getText('t').insert(7, 'during ');
        writer.onDurable(() => (acknowledged = true));
        await waitFor(() => failures() >= failedBefore + 3, { timeoutMs: 15_000, message: 'several failed write attempts' });
        expect(acknowledged).toBe(false);
        expect(writer.hasUnsavedChanges).toBe(true);
        doc.getText('t').insert(14, 'queued');

        await postgres.start();
        await waitFor(() => acknowledged && !writer.hasUnsavedChanges, { timeoutMs: 20_000, message: 'everything stored after the restart' });
        await store.ping();
      } finally {
        writer.close();
        await store.close();
      }
      const reopened = await createPostgresStore({ url: postgres.url, schema, logger });
      try {
        const stored = await reopened.load('doc');
        const replayed = new Y.Doc();
        if (stored.snapshot) Y.applyUpdate(replayed, stored.snapshot);
        for (const update of stored.log) Y.applyUpdate(replayed, update);
        expect(replayed.getText('t').toString()).toBe('before during queued');
      } finally {
        await reopened.close();
      }
    },
    60_000,
  );
});
