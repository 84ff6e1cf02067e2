import pg from 'pg';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { replayInto, runDocumentStoreContract, textUpdate } from './document-store-contract.js';
import { createPostgresStore } from './postgres-store.js';
import { createPostgresTestSchema } from '../test-support/postgres-test-schema.js';

const logger = pino({ level: 'silent' });

runDocumentStoreContract('PostgreSQL', () => {
  const testSchema = createPostgresTestSchema('contract');
  const { url, schema } = testSchema;
  return Promise.resolve({
    open: () => createPostgresStore({ url, schema, logger, poolSize: 4 }),
    // A second pool on the same schema: another process, as far as PostgreSQL can tell.
    openPeer: () => createPostgresStore({ url, schema, logger, poolSize: 4 }),
    dispose: () => testSchema.dispose(),
  });
});

describe('PostgreSQL store: positions from transactions that commit out of order', () => {
  it('a compaction keeps a lower position that committed between its load and itself', async () => {
    // Root cause this guards against: identity values are taken at INSERT, visible at COMMIT, so
    // a load can see position p+1 without p. A compaction deleting "everything up to p+1" would
    // delete p, an acknowledged update it never merged.
    const testSchema = createPostgresTestSchema('late_commit');
    const store = await createPostgresStore({ url: testSchema.url, schema: testSchema.schema, logger, poolSize: 2 });
    const slow = new pg.Client({ connectionString: testSchema.url });
    slow.on('error', () => undefined); // reported by the queries below
    await slow.connect();
    try {
      const doc = new Y.Doc();
      const early = textUpdate(doc, 'early ');
      const late = textUpdate(doc, 'late');
      await slow.query('BEGIN');
      await slow.query(`INSERT INTO "${testSchema.schema}".updates (name, data) VALUES ($1, $2)`, ['doc', early]);
      await store.appendUpdates('doc', [late], null);
      const loaded = await store.load('doc');
      expect(loaded.log).toHaveLength(1);
      await slow.query('COMMIT'); // committed between the load and the compaction
      expect(await store.compact('doc', loaded.log[0]!, loaded.cursor, { bytes: 1, updatedAt: 1 })).toBe(true);
      const after = await store.load('doc');
      expect(after.log).toHaveLength(1);
      expect(after.cursor.positions[0]).toBeLessThan(loaded.cursor.positions[0]!);
      expect(replayInto(new Y.Doc(), after).getText('t').toString()).toBe('early late');
    } finally {
      await slow.end();
      await store.close();
      await testSchema.dispose();
    }
  });
});

describe('PostgreSQL store: closing and connection trouble', () => {
  it('close is idempotent and waits for appends in flight', async () => {
    const testSchema = createPostgresTestSchema('close');
    const store = await createPostgresStore({ url: testSchema.url, schema: testSchema.schema, logger });
    try {
      const appended = store.appendUpdates('doc', [textUpdate(new Y.Doc(), 'x')], null);
      await Promise.all([store.close(), store.close(), appended]);
      const reopened = await createPostgresStore({ url: testSchema.url, schema: testSchema.schema, logger });
      expect((await reopened.load('doc')).log).toHaveLength(1);
      await reopened.close();
    } finally {
      await testSchema.dispose();
    }
  });
});
