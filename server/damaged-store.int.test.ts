/**
 * Regression: a damaged data folder started silently and served incomplete documents.
 *
 * Root cause: LevelDB (through classic-level, which gives no access to paranoid_checks) opens a
 * damaged folder without an error. It skips a garbled stretch of its write-ahead log with one
 * line in its info log, treats the table files a truncated MANIFEST no longer lists as
 * obsolete and deletes them, and with CURRENT gone it created a new, empty database over the
 * old files (the store opened with createIfMissing). Start-up now dry-runs the open on a
 * hard-linked copy and refuses the folder, naming it and the damage (leveldb-folder-check.ts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, truncate, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as Y from 'yjs';
import { createLeveldbStore } from './persistence/leveldb-store.js';
import type { DocumentStore } from './persistence/document-store.js';
import { startTestServer, type TestServer } from './test-support/test-server.js';
import { connectClient, type TestClient } from './test-support/test-client.js';
import { waitFor } from './test-support/wait-for.js';
import { startChildServer } from './test-support/child-server.js';
import { runRepairCommand } from './persistence/repair-command.js';

/** Appends `lines` one-line updates to document `name`; resolves with the document's text. */
async function appendLines(store: DocumentStore, name: string, lines: number, lineLength = 400): Promise<string> {
  const line = 'x'.repeat(lineLength);
  const doc = new Y.Doc();
  const updates: Uint8Array[] = [];
  doc.on('update', (update: Uint8Array) => updates.push(update));
  const text = doc.getText('t');
  for (let i = 0; i < lines; i++) text.insert(text.length, `${name} ${i} ${line}\n`);
  for (const update of updates) await store.appendUpdates(name, [update], null);
  return text.toString();
}

/** One session of the real store: open, write one document, close. */
async function writeDocument(directory: string, name: string, lines: number): Promise<string> {
  const store = await createLeveldbStore({ directory, fsync: false });
  const text = await appendLines(store, name, lines);
  await store.close();
  return text;
}

/**
 * Two documents in two sessions: LevelDB's second open turns the first session's log into a
 * table file and records it in a new MANIFEST; the second document stays in the log.
 */
async function writeStore(): Promise<{ directory: string; alpha: string; beta: string }> {
  const directory = await mkdtemp(path.join(tmpdir(), 'tandem-damaged-'));
  const alpha = await writeDocument(directory, 'alpha', 100);
  const beta = await writeDocument(directory, 'beta', 100);
  return { directory, alpha, beta };
}

async function fileOf(directory: string, pattern: RegExp): Promise<string> {
  const name = (await readdir(directory)).find((file) => pattern.test(file));
  if (!name) throw new Error(`no file matching ${pattern.source} in ${directory}`);
  return path.join(directory, name);
}

/** Every file's name and SHA-256, to prove a refused start-up changed nothing. */
async function fingerprint(directory: string): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  for (const name of (await readdir(directory)).sort()) {
    result[name] = createHash('sha256').update(await readFile(path.join(directory, name))).digest('hex');
  }
  return result;
}

describe('start-up on a damaged data folder', () => {
  const folders: string[] = [];
  const servers: TestServer[] = [];
  const clients: TestClient[] = [];

  afterEach(async () => {
    for (const client of clients.splice(0)) client.destroy();
    for (const server of servers.splice(0)) await server.dispose();
    for (const folder of folders.splice(0)) await rm(folder, { recursive: true, force: true });
  });

  async function expectRefused(directory: string, problem: RegExp): Promise<void> {
    const before = await fingerprint(directory);
    const start = startTestServer([], {}, { dataDir: directory });
    // Should it start after all, stop it so that the assertion below reports the real failure.
    void start.then((server) => servers.push(server), () => undefined);
    const error = (await start.then(
      () => new Error('the server started'),
      (reason: unknown) => reason,
    )) as Error & { code?: string };
    expect(error.message).toMatch(new RegExp(`^refusing to open the data folder ${directory}: ${problem.source}.*tandem repair --data-dir`));
    expect(error.code).toBe('STORE_FOLDER_DAMAGED');
    expect(await fingerprint(directory)).toEqual(before);
    // The scratch copy next to the folder is gone too.
    expect((await readdir(path.dirname(directory))).filter((name) => name.startsWith(`.${path.basename(directory)}.open-check-`))).toEqual([]);
  }

  async function documentText(server: TestServer, name: string): Promise<string> {
    const client = connectClient(server.wsUrl, name);
    clients.push(client);
    await client.synced();
    return client.doc.getText('t').toString();
  }

  it('refuses a folder whose MANIFEST lost its last record, changing no file', async () => {
    const { directory } = await writeStore();
    folders.push(directory);
    // More than LevelDB's 4 MB write buffer: it writes a table file mid-session and records it
    // as the MANIFEST's last record (and deletes the log it came from). Without that record, its
    // recovery deleted the table: the document was gone and the server started anyway.
    const store = await createLeveldbStore({ directory, fsync: false });
    const manifest = await fileOf(directory, /^MANIFEST-/);
    const opened = (await stat(manifest)).size;
    await appendLines(store, 'gamma', 50, 100_000);
    await waitFor(async () => (await stat(manifest)).size > opened, { message: 'a table file recorded mid-session' });
    await store.close();
    await truncate(manifest, (await stat(manifest)).size - 3);
    await expectRefused(directory, /its MANIFEST \(MANIFEST-\d+\) is truncated: its last record, at byte \d+, has \d+ of its \d+ bytes/);
  });

  it('refuses a folder whose CURRENT file was deleted, changing no file', async () => {
    const { directory } = await writeStore();
    folders.push(directory);
    await unlink(path.join(directory, 'CURRENT'));
    await expectRefused(directory, /it is not empty but has no CURRENT file/);
  });

  it('refuses a folder whose write-ahead log is garbled mid-file, changing no file', async () => {
    const { directory } = await writeStore();
    folders.push(directory);
    const log = await fileOf(directory, /^\d+\.log$/);
    const bytes = await readFile(log);
    expect(bytes.length).toBeGreaterThan(20_000);
    bytes.fill(0x55, 10_000, 10_064);
    await writeFile(log, bytes);
    await expectRefused(directory, /LevelDB's recovery would skip damaged data \(\d+\.log: dropping \d+ bytes; Corruption: checksum mismatch/);
  });

  it('tandem serve exits 1 with the refusal on stderr, one line, no stack', async () => {
    const { directory } = await writeStore();
    folders.push(directory);
    await unlink(path.join(directory, 'CURRENT'));
    await expect(startChildServer(['--data-dir', directory])).rejects.toThrow(
      new RegExp(`exited with 1: tandem: refusing to open the data folder ${directory}: it is not empty but has no CURRENT file[^\\n]*\\n$`),
    );
  });

  it('tandem repair builds a copy that starts and serves every document, leaving the original as it was', async () => {
    const { directory, alpha, beta } = await writeStore();
    folders.push(directory);
    await unlink(path.join(directory, 'CURRENT'));
    const before = await fingerprint(directory);
    const output = `${directory}-repaired`;
    folders.push(output);
    expect(await runRepairCommand(['--data-dir', directory, '--output', output])).toContain(`Repaired copy written to ${output} (`);
    expect(await fingerprint(directory)).toEqual(before);
    const server = await startTestServer([], {}, { dataDir: output });
    servers.push(server);
    expect(await documentText(server, 'alpha')).toBe(alpha);
    expect(await documentText(server, 'beta')).toBe(beta);
  });

  it('starts on a log cut mid-record (kill -9 during a write) and serves everything before the cut', async () => {
    const { directory, alpha, beta } = await writeStore();
    const log = await fileOf(directory, /^\d+\.log$/);
    // The last update (one line, ~420 bytes) is torn, as a process killed mid-write leaves it.
    await truncate(log, (await stat(log)).size - 100);
    const server = await startTestServer([], {}, { dataDir: directory });
    servers.push(server);
    expect(await documentText(server, 'alpha')).toBe(alpha);
    const lines = beta.split('\n').filter((line) => line !== '');
    expect(await documentText(server, 'beta')).toBe(`${lines.slice(0, -1).join('\n')}\n`);
  });

  it('starts a fresh store in an empty folder and in one that does not exist yet', async () => {
    const parent = await mkdtemp(path.join(tmpdir(), 'tandem-fresh-'));
    folders.push(parent);
    for (const directory of [parent, path.join(parent, 'missing', 'data')]) {
      const server = await startTestServer([], {}, { dataDir: directory });
      servers.push(server);
      expect(await documentText(server, 'new')).toBe('');
    }
  });
});
