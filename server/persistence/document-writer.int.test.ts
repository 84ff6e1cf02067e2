import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import * as Y from 'yjs';
import { createLogger } from '../logger.js';
import { createLeveldbStore } from './leveldb-store.js';
import { DocumentWriter } from './document-writer.js';
import type { DocumentStore } from './document-store.js';
import { withFaults, type FaultyStore } from '../test-support/faulty-store.js';
import { waitFor } from '../test-support/wait-for.js';

describe('DocumentWriter', () => {
  let directory: string;
  let store: FaultyStore;
  let errors: string[];

  const logger = () =>
    createLogger(
      'error',
      new Writable({
        write(chunk: Buffer, _e, done) {
          errors.push(chunk.toString());
          done();
        },
      }),
    );

  const CATCH_UP = { source: 'catch-up' };

  function writerFor(doc: Y.Doc, name = 'doc', maxLogEntries = 1_000, from: DocumentStore = store): DocumentWriter {
    const writer = new DocumentWriter({
      name,
      store: from,
      logger: logger(),
      compaction: { maxLogEntries, maxLogBytes: 1 << 30 },
      encodeSnapshot: () => Y.encodeStateAsUpdate(doc),
      catchUp: (updates) => doc.transact(() => updates.forEach((update) => Y.applyUpdate(doc, update)), CATCH_UP),
      initial: { snapshotGeneration: 0, logEntries: 0, logBytes: 0, snapshotBytes: 0 },
      retryDelayMs: { initial: 5, max: 20 },
    });
    // As room-store.ts does: what came from the store is not stored again.
    doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin !== CATCH_UP) writer.enqueue(update);
    });
    return writer;
  }

  async function reload(name = 'doc', from: DocumentStore = store): Promise<string> {
    const stored = await from.load(name);
    const doc = new Y.Doc();
    if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot);
    for (const update of stored.log) Y.applyUpdate(doc, update);
    return doc.getText('t').toString();
  }

  beforeEach(async () => {
    errors = [];
    directory = await mkdtemp(path.join(tmpdir(), 'tandem-writer-'));
    store = withFaults(await createLeveldbStore({ directory, fsync: false }));
  });

  afterEach(async () => {
    await store.close();
    await rm(directory, { recursive: true, force: true });
  });

  it('batches updates that arrive during a write into one merged write', async () => {
    const doc = new Y.Doc();
    const writer = writerFor(doc);
    for (let i = 0; i < 200; i++) doc.getText('t').insert(i, 'x');
    await writer.whenDurable();
    expect(await reload()).toBe('x'.repeat(200));
    // One write for the first keystroke, the rest merged into few writes, not 200.
    expect(store.appendCalls).toBeLessThanOrEqual(3);
  });

  it('never reports a failed write as durable, and retries until it succeeds', async () => {
    const doc = new Y.Doc();
    const writer = writerFor(doc);
    store.failing = true;
    doc.getText('t').insert(0, 'precious');
    let durable = false;
    writer.onDurable(() => {
      durable = true;
    });
    await waitFor(() => store.writeCalls >= 3, { message: 'several failed attempts' });
    expect(durable).toBe(false);
    expect(writer.hasUnsavedChanges).toBe(true);
    expect(errors.join('')).toContain('"doc":"doc"');
    expect(errors.join('')).toContain('store write failed');
    store.failing = false;
    await waitFor(() => durable, { message: 'durable after recovery' });
    expect(await reload()).toBe('precious');
  });

  it('after a failed write, reports nothing more durable until a full snapshot is stored', async () => {
    // Regression: the retry of a failed write used to append just the failed batch. A failed
    // LevelDB write can tear its write-ahead log so that what follows it is lost on the next
    // start, so the retry now stores the whole live document (which holds every ack) first.
    const doc = new Y.Doc();
    const writer = writerFor(doc);
    doc.getText('t').insert(0, 'acked ');
    await writer.whenDurable();
    store.failNext(1);
    doc.getText('t').insert(6, 'retried');
    await writer.whenDurable();
    expect(errors.join('')).toContain('store write failed');
    const stored = await store.load('doc');
    const snapshot = new Y.Doc();
    if (stored.snapshot) Y.applyUpdate(snapshot, stored.snapshot);
    expect({ snapshot: snapshot.getText('t').toString(), log: stored.log.length }).toEqual({ snapshot: 'acked retried', log: 0 });
  });

  it('compacts the log into a snapshot past the threshold, keeping the content identical', async () => {
    const doc = new Y.Doc();
    const writer = writerFor(doc, 'doc', 10);
    for (let i = 0; i < 60; i++) {
      doc.getText('t').insert(i, String(i % 10));
      await writer.whenDurable(); // one log entry per keystroke
    }
    const before = await store.load('doc');
    expect(before.snapshot).not.toBeNull();
    expect(before.log.length).toBeLessThan(10);
    await writer.flush();
    const after = await store.load('doc');
    expect(after.log).toHaveLength(0);
    expect(await reload()).toBe(doc.getText('t').toString());
    expect(writer.logEntries).toBe(0);
  });

  it('a compaction whose load holds only its own entries does not apply them to the live document again', async () => {
    const doc = new Y.Doc();
    const caughtUp: number[] = [];
    const writer = new DocumentWriter({
      name: 'alone',
      store,
      logger: logger(),
      compaction: { maxLogEntries: 10, maxLogBytes: 1 << 30 },
      encodeSnapshot: () => Y.encodeStateAsUpdate(doc),
      catchUp: (updates) => caughtUp.push(updates.length),
      initial: { snapshotGeneration: 0, logEntries: 0, logBytes: 0, snapshotBytes: 0 },
    });
    doc.on('update', (update: Uint8Array) => writer.enqueue(update));
    for (let i = 0; i < 35; i++) {
      doc.getText('t').insert(i, String(i % 10));
      await writer.whenDurable(); // one log entry per keystroke: three compactions
    }
    await writer.flush();
    expect((await store.load('alone')).snapshot).not.toBeNull();
    expect(await reload('alone')).toBe(doc.getText('t').toString());
    expect(caughtUp).toEqual([]);
  });

  it('a compaction merges what another writer stored into the live document, and keeps what it appended meanwhile', async () => {
    const mine = new Y.Doc();
    const theirs = new Y.Doc();
    const writer = writerFor(mine, 'shared');
    const other = writerFor(theirs, 'shared');
    mine.getMap('m').set('mine', 1);
    theirs.getMap('m').set('theirs', 1);
    await Promise.all([writer.whenDurable(), other.whenDurable()]);
    await writer.flush();
    expect(mine.getMap('m').toJSON()).toEqual({ mine: 1, theirs: 1 });
    theirs.getMap('m').set('later', 1);
    await other.whenDurable();
    const stored = await store.load('shared');
    expect(stored.log).toHaveLength(1); // theirs, appended after the compaction
    const replayed = new Y.Doc();
    Y.applyUpdate(replayed, stored.snapshot!);
    Y.applyUpdate(replayed, stored.log[0]!);
    expect(replayed.getMap('m').toJSON()).toEqual({ mine: 1, theirs: 1, later: 1 });
  });

  it('retries a compaction another writer beat, from a fresh load, and acknowledges only once it is stored', async () => {
    const theirs = new Y.Doc();
    const other = writerFor(theirs, 'raced');
    let compactions = 0;
    // The first compaction of `writer` is overtaken: the other writer compacts between its load and its compaction.
    const overtaken: DocumentStore = {
      ...store,
      load: (name) => store.load(name),
      appendUpdates: (name, updates, stats) => store.appendUpdates(name, updates, stats),
      delete: (name) => store.delete(name),
      list: () => store.list(),
      addVersion: (name, version) => store.addVersion(name, version),
      listVersions: (name) => store.listVersions(name),
      loadVersion: (name, id) => store.loadVersion(name, id),
      deleteVersions: (name, ids) => store.deleteVersions(name, ids),
      ping: () => store.ping(),
      close: () => store.close(),
      async compact(name, snapshot, cursor, stats) {
        if (compactions++ === 0) {
          theirs.getMap('m').set('theirs', 1);
          await other.flush();
        }
        return store.compact(name, snapshot, cursor, stats);
      },
    };
    const mine = new Y.Doc();
    const writer = writerFor(mine, 'raced', 1_000, overtaken);
    mine.getMap('m').set('mine', 1);
    await writer.flush();
    expect(compactions).toBe(2);
    expect(writer.hasUnsavedChanges).toBe(false);
    expect(mine.getMap('m').toJSON()).toEqual({ mine: 1, theirs: 1 });
    const stored = await store.load('raced');
    expect(stored.log).toHaveLength(0);
    const replayed = new Y.Doc();
    Y.applyUpdate(replayed, stored.snapshot!);
    expect(replayed.getMap('m').toJSON()).toEqual({ mine: 1, theirs: 1 });
  });
});
