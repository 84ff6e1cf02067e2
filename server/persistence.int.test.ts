import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { createLeveldbStore } from './persistence/leveldb-store.js';
import { startTestServer, type TestServer } from './test-support/test-server.js';
import type { TestClient } from './test-support/test-client.js';
import { ClientPool, type ClientOptions } from './test-support/client-pool.js';
import { waitFor } from './test-support/wait-for.js';
import { withFaults, type FaultyStore } from './test-support/faulty-store.js';

describe('persistence through the server', () => {
  let server: TestServer;
  const pool = new ClientPool(() => server.wsUrl);
  const client = (doc: string, options?: ClientOptions): TestClient => pool.connect(doc, options);
  const dropClients = (): void => pool.destroyAll();

  afterEach(async () => {
    dropClients();
    await server.dispose();
  });

  it('serves everything to a fresh client after a restart', async () => {
    server = await startTestServer();
    const writers = [client('notes'), client('notes'), client('other')];
    await Promise.all(writers.map((w) => w.synced()));
    writers[0]!.doc.getText('t').insert(0, 'first line. ');
    writers[1]!.doc.getText('t').insert(0, 'second writer. ');
    writers[2]!.doc.getArray('a').push([1, 2, 3]);
    await waitFor(() => writers[0]!.doc.getText('t').length === 27, { message: 'writers converge' });
    const expected = writers[0]!.doc.getText('t').toString();
    // Throw away every client's state: only the server's store may bring the content back.
    dropClients();
    await server.restart();
    const fresh = client('notes');
    const freshOther = client('other');
    await Promise.all([fresh.synced(), freshOther.synced()]);
    expect(fresh.doc.getText('t').toString()).toBe(expected);
    expect(freshOther.doc.getArray('a').toJSON()).toEqual([1, 2, 3]);
    const listed = (await (await fetch(`${server.url}/api/docs`)).json()) as { documents: { name: string; bytes: number }[] };
    expect(listed.documents.map((d) => d.name).sort()).toEqual(['notes', 'other']);
    expect(listed.documents.every((d) => d.bytes > 0)).toBe(true);
  });

  it('acknowledges saved changes only after they are durable, counting update messages', async () => {
    server = await startTestServer();
    const editor = client('acked', { saveAck: true });
    const stock = client('acked');
    await Promise.all([editor.synced(), stock.synced()]);
    const before = editor.savedCount;
    for (let i = 0; i < 20; i++) editor.doc.getText('t').insert(i, 'k');
    // The client sent step 2 on connect plus 20 updates; all of them are covered by the ack.
    await waitFor(() => editor.savedCount >= before + 20, { message: 'ack covers every keystroke' });
    await waitFor(() => stock.doc.getText('t').length === 20, { message: 'stock client receives the edits' });
    // What was acknowledged is in LevelDB: read it back with a second handle to the database.
    dropClients();
    await server.server.close();
    const store = await createLeveldbStore({ directory: server.dataDir, fsync: false });
    const stored = await store.load('acked');
    const doc = new Y.Doc();
    if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot);
    for (const update of stored.log) Y.applyUpdate(doc, update);
    await store.close();
    expect(doc.getText('t').toString()).toBe('k'.repeat(20));
  });

  it('withholds the ack while storage fails, keeps the document, and acks after recovery', async () => {
    let faulty: FaultyStore | null = null;
    server = await startTestServer([], {}, { wrapStore: (store) => (faulty = withFaults(store)) });
    const editor = client('flaky', { saveAck: true });
    await editor.synced();
    await waitFor(() => editor.savedCount >= 1, { message: 'initial step 2 acked' });
    const acked = editor.savedCount;
    faulty!.failing = true;
    editor.doc.getText('t').insert(0, 'do not lose me');
    await waitFor(() => faulty!.writeCalls >= 2, { message: 'failed write attempts' });
    expect(editor.savedCount).toBe(acked);
    expect(server.logs.some((l) => l.msg.includes('store write failed') && l.doc === 'flaky')).toBe(true);
    // Even with every client gone, the unsaved document stays in memory while writes retry.
    dropClients();
    const attempts = faulty!.writeCalls;
    await waitFor(() => faulty!.writeCalls >= attempts + 2, { message: 'retries continue after the last client left' });
    expect(server.server.registry.size).toBe(1);
    faulty!.failing = false;
    await waitFor(() => server.server.registry.size === 0, { timeoutMs: 15_000, message: 'unloaded after recovery' });
    const fresh = client('flaky');
    await fresh.synced();
    expect(fresh.doc.getText('t').toString()).toBe('do not lose me');
  });

  it('compacts the log during editing and on unload, keeping the content identical', async () => {
    server = await startTestServer(['--compact-log-entries', '20']);
    const editor = client('compacted', { saveAck: true });
    await editor.synced();
    for (let i = 0; i < 300; i++) {
      editor.doc.getText('t').insert(i, String.fromCharCode(97 + (i % 26)));
      // One write per keystroke, the worst case for the log.
      if (i % 3 === 0) await waitFor(() => editor.savedCount >= i + 1, { message: `ack ${i}` });
    }
    const expected = editor.doc.getText('t').toString();
    await waitFor(() => editor.savedCount >= 301, { message: 'all acked' });
    await server.server.close();
    const store = await createLeveldbStore({ directory: server.dataDir, fsync: false });
    const stored = await store.load('compacted');
    await store.close();
    // Unload compacted everything into the snapshot.
    expect(stored.log).toHaveLength(0);
    // Compacted during editing too, not only on unload.
    expect(stored.cursor.snapshotGeneration).toBeGreaterThan(1);
    const doc = new Y.Doc();
    Y.applyUpdate(doc, stored.snapshot!);
    expect(doc.getText('t').toString()).toBe(expected);
    dropClients();
    await server.restart();
    const fresh = client('compacted');
    await fresh.synced();
    expect(fresh.doc.getText('t').toString()).toBe(expected);
  });

  it('unloads documents when their last client leaves and returns memory to baseline', async () => {
    server = await startTestServer();
    const gc = (globalThis as { gc?: () => void }).gc;
    expect(gc, 'tests run with --expose-gc').toBeTypeOf('function');
    const settle = (): number => {
      gc!();
      gc!();
      return process.memoryUsage().heapUsed;
    };
    // Warm up code paths so that lazily created module state is not counted.
    const warm = client('warm-up');
    await warm.synced();
    dropClients();
    await waitFor(() => server.server.registry.size === 0, { message: 'warm-up unloaded' });
    const baseline = settle();

    // Clients live only inside this function, so nothing in the test keeps their documents.
    const loadAndLeave = async (): Promise<{ loaded: number; providers: WeakRef<TestClient['provider']>[] }> => {
      const docs = Array.from({ length: 40 }, (_, i) => `mem-${i}`);
      const writers = docs.map((name) => client(name));
      await Promise.all(writers.map((w) => w.synced()));
      // Many small insertions: thousands of Yjs items per document, as real typing makes.
      for (const w of writers) {
        const text = w.doc.getText('t');
        for (let i = 0; i < 2_000; i++) text.insert((i * 7919) % (text.length + 1), 'word ');
      }
      const readers = docs.map((name) => client(name));
      await waitFor(() => readers.every((r) => r.doc.getText('t').length === 10_000), { timeoutMs: 20_000, message: 'readers got content' });
      expect(server.server.registry.size).toBe(40);
      const loaded = settle();
      const providers = pool.all.map((c) => new WeakRef(c.provider));
      dropClients();
      return { loaded, providers };
    };
    const { loaded, providers } = await loadAndLeave();
    await waitFor(() => server.server.registry.size === 0, { timeoutMs: 20_000, message: 'all documents unloaded' });
    // Closing handshakes finish after the unload; until then sockets still hold their buffers.
    await waitFor(() => server.server.gateway.connectionCount === 0 && providers.every((p) => (p.deref()?.ws ?? null) === null), {
      message: 'all sockets closed',
    });
    const MiB = 1024 * 1024;
    expect(loaded - baseline, 'loaded documents cost memory (the test can fail)').toBeGreaterThan(20 * MiB);
    // Released objects are collected over a few turns (sockets finish closing, timers end).
    let after = Number.POSITIVE_INFINITY;
    await waitFor(
      () => {
        after = settle();
        return after - baseline < 4 * MiB;
      },
      { timeoutMs: 10_000, intervalMs: 100, message: 'heap back to baseline' },
    ).catch((error: Error) => {
      throw new Error(`${error.message}: ${((after - baseline) / MiB).toFixed(1)} MiB above baseline`);
    });
  });
});
