/**
 * Version history on PostgreSQL (DATABASE_URL): automatic, named, pre-restore and restore
 * versions go to the `versions` table, survive a restart, and go with the document.
 */
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../test-support/test-server.js';
import { connectClient, type TestClient } from '../test-support/test-client.js';
import { createPostgresTestSchema, type PostgresTestSchema } from '../test-support/postgres-test-schema.js';
import { waitFor } from '../test-support/wait-for.js';
import { ManualClock } from '../test-support/manual-clock.js';
import { paragraphText, plainText, writeParagraphs } from '../test-support/paragraph-docs.js';

async function versionRows(testSchema: PostgresTestSchema): Promise<Array<{ name: string; kind: string }>> {
  const client = new pg.Client({ connectionString: testSchema.url });
  client.on('error', () => undefined); // reported by the query
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string; kind: string }>(`SELECT name, kind FROM "${testSchema.schema}".versions ORDER BY id`);
    return rows;
  } finally {
    await client.end();
  }
}

describe('version history on PostgreSQL', () => {
  let testSchema: PostgresTestSchema;
  let server: TestServer;
  let client: TestClient | null = null;

  afterEach(async () => {
    client?.destroy();
    await server.dispose();
    await testSchema.dispose();
  });

  it('stores automatic, named, pre-restore and restore versions in the versions table, across a restart, and deletes them with the document', async () => {
    testSchema = createPostgresTestSchema('history');
    const clock = new ManualClock();
    server = await startTestServer(['--log-level', 'warn'], { DATABASE_URL: testSchema.url, TANDEM_DATABASE_SCHEMA: testSchema.schema }, { start: { historyClock: clock } });
    client = connectClient(server.wsUrl, 'pg-doc');
    await client.synced();
    writeParagraphs(client.doc, 'first');
    await waitFor(() => plainText(server.server.registry.peekLoaded('pg-doc')!.doc) === 'first', { message: 'the edit on the server' });
    clock.advance(30_000);
    await server.server.history.idle();
    const named = await fetch(`${server.url}/api/docs/pg-doc/versions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'one' }) });
    const { id } = (await named.json()) as { id: number };
    const text = paragraphText(client.doc, 0);
    text.insert(text.length, ' and more');
    await waitFor(() => plainText(server.server.registry.peekLoaded('pg-doc')!.doc) === 'first and more', { message: 'the second edit on the server' });
    expect((await fetch(`${server.url}/api/docs/pg-doc/versions/${id}/restore`, { method: 'POST' })).status).toBe(200);
    await waitFor(() => plainText(client!.doc) === 'first', { message: 'the restore to reach the client' });
    expect(await versionRows(testSchema)).toEqual(['auto', 'named', 'pre-restore', 'restore'].map((kind) => ({ name: 'pg-doc', kind })));

    client.destroy();
    client = null;
    await server.restart();
    expect(await (await fetch(`${server.url}/api/docs/pg-doc/versions/${id}?format=text`)).text()).toBe('first');
    expect((await fetch(`${server.url}/api/docs/pg-doc`, { method: 'DELETE' })).status).toBe(204);
    expect(await versionRows(testSchema)).toEqual([]);
  });
});
