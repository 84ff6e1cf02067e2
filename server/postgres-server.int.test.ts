/**
 * DATABASE_URL alone: one Tandem process storing documents in PostgreSQL instead of LevelDB, on
 * the machine's PostgreSQL in a schema of the test's own.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './test-support/test-server.js';
import { startChildServer, type ChildServer } from './test-support/child-server.js';
import { connectClient, type TestClient } from './test-support/test-client.js';
import { createPostgresTestSchema, type PostgresTestSchema } from './test-support/postgres-test-schema.js';
import { waitFor } from './test-support/wait-for.js';

async function storedDocumentNames(testSchema: PostgresTestSchema): Promise<string[]> {
  const client = new pg.Client({ connectionString: testSchema.url });
  client.on('error', () => undefined); // reported by the query
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string }>(`SELECT DISTINCT name FROM "${testSchema.schema}".updates UNION SELECT name FROM "${testSchema.schema}".documents`);
    return rows.map((row) => row.name).sort();
  } finally {
    await client.end();
  }
}

describe('a single process on PostgreSQL (DATABASE_URL alone)', () => {
  let testSchema: PostgresTestSchema;
  let server: TestServer | null = null;
  let child: ChildServer | null = null;
  const clients: TestClient[] = [];
  const cleanups: (() => Promise<unknown>)[] = [];

  afterEach(async () => {
    clients.splice(0).forEach((client) => client.destroy());
    await server?.dispose();
    if (child?.process.exitCode === null && child.process.signalCode === null) {
      child.process.kill('SIGKILL');
      await child.exited;
    }
    server = null;
    child = null;
    for (const cleanup of cleanups.splice(0)) await cleanup();
    await testSchema.dispose();
  });

  it('acknowledges saves, keeps documents in PostgreSQL (nothing in the data folder) and serves them after a restart', async () => {
    testSchema = createPostgresTestSchema('server');
    server = await startTestServer([], { DATABASE_URL: testSchema.url, TANDEM_DATABASE_SCHEMA: testSchema.schema });
    const editor = connectClient(server.wsUrl, 'notes', { saveAck: true });
    clients.push(editor);
    await editor.synced();
    for (let i = 0; i < 20; i++) editor.doc.getText('t').insert(i, String.fromCharCode(97 + i));
    await waitFor(() => editor.savedCount > 0 && editor.savedCount >= editor.sentUpdateMessages, { message: 'every edit acknowledged as saved' });
    expect(await storedDocumentNames(testSchema)).toEqual(['notes']);
    const expected = editor.doc.getText('t').toString();
    // Throw away the client's state: only the store may bring the content back.
    clients.splice(0).forEach((client) => client.destroy());
    await server.restart();
    expect(await readdir(server.dataDir)).toEqual([]);
    const fresh = connectClient(server.wsUrl, 'notes');
    clients.push(fresh);
    await fresh.synced();
    expect(fresh.doc.getText('t').toString()).toBe(expected);
    expect(expected).toBe('abcdefghijklmnopqrst');
  });

  it('loses nothing acknowledged when the process is killed with SIGKILL', async () => {
    testSchema = createPostgresTestSchema('server_kill');
    const env = { DATABASE_URL: testSchema.url, TANDEM_DATABASE_SCHEMA: testSchema.schema };
    // Each run gets a data folder of its own: what the second one serves can only come from PostgreSQL.
    const folders = [await mkdtemp(path.join(tmpdir(), 'tandem-pg-a-')), await mkdtemp(path.join(tmpdir(), 'tandem-pg-b-'))];
    cleanups.push(() => Promise.all(folders.map((folder) => rm(folder, { recursive: true, force: true }))));
    child = await startChildServer(['--data-dir', folders[0]!], 30_000, env);
    const editor = connectClient(child.wsUrl, 'killed', { saveAck: true });
    clients.push(editor);
    await editor.synced();
    for (let i = 0; i < 50; i++) editor.doc.getArray<number>('a').push([i]);
    await waitFor(() => editor.savedCount > 0 && editor.savedCount >= editor.sentUpdateMessages, { message: 'every edit acknowledged as saved' });
    child.process.kill('SIGKILL');
    await child.exited;
    clients.splice(0).forEach((client) => client.destroy());
    child = await startChildServer(['--data-dir', folders[1]!], 30_000, env);
    const fresh = connectClient(child.wsUrl, 'killed');
    clients.push(fresh);
    await fresh.synced();
    expect(fresh.doc.getArray<number>('a').toArray()).toEqual(Array.from({ length: 50 }, (_, i) => i));
  }, 60_000);
});
