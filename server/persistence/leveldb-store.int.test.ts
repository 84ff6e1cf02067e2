import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Level } from 'level';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { runDocumentStoreContract } from './document-store-contract.js';
import type { DocumentStore } from './document-store.js';
import { createLeveldbStore } from './leveldb-store.js';

runDocumentStoreContract('LevelDB', async () => {
  const directory = await mkdtemp(path.join(tmpdir(), 'tandem-store-'));
  return {
    open: () => createLeveldbStore({ directory, fsync: false }),
    // One process per folder: the other writer shares the store (its close is the suite's).
    openPeer: (store: DocumentStore) => Promise.resolve({ ...bindAll(store), close: () => Promise.resolve() }),
    dispose: () => rm(directory, { recursive: true, force: true }),
  };
});

function bindAll(store: DocumentStore): DocumentStore {
  return {
    load: (name) => store.load(name),
    appendUpdates: (name, updates, stats) => store.appendUpdates(name, updates, stats),
    compact: (name, snapshot, cursor, stats) => store.compact(name, snapshot, cursor, stats),
    delete: (name) => store.delete(name),
    list: () => store.list(),
    addVersion: (name, version) => store.addVersion(name, version),
    listVersions: (name) => store.listVersions(name),
    loadVersion: (name, id) => store.loadVersion(name, id),
    deleteVersions: (name, ids) => store.deleteVersions(name, ids),
    ping: () => store.ping(),
    close: () => store.close(),
  };
}

/** Keys as the version before store-assigned positions wrote them. */
const oldKey = {
  log: (name: string, seq: number) => `!log!${name}\u0000${seq.toString(16).padStart(12, '0')}`,
  snapshot: (name: string) => `!snap!${name}`,
  meta: (name: string) => `!meta!${name}`,
  compactedThrough: (name: string) => `!cpt!${name}`,
};
const text = (value: string) => new TextEncoder().encode(value);

function writerDoc(): { doc: Y.Doc; edit: (value: string) => Uint8Array } {
  const doc = new Y.Doc();
  return {
    doc,
    edit: (value) => {
      const before = Y.encodeStateVector(doc);
      doc.getText('t').insert(doc.getText('t').length, value);
      return Y.encodeStateAsUpdate(doc, before);
    },
  };
}

async function withFolder(test: (directory: string) => Promise<void>): Promise<void> {
  const directory = await mkdtemp(path.join(tmpdir(), 'tandem-store-'));
  try {
    await test(directory);
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

async function storedText(store: DocumentStore, name: string): Promise<string> {
  const stored = await store.load(name);
  const doc = new Y.Doc();
  if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot);
  for (const update of stored.log) Y.applyUpdate(doc, update);
  return doc.getText('t').toString();
}

describe('LevelDB store: folders written by the version with caller-numbered logs', () => {
  it('loads a compacted document with later log entries, numbers on after them and compacts it', async () => {
    await withFolder(async (directory) => {
      const { doc, edit } = writerDoc();
      const [a, b, c, d] = ['a', 'b', 'c', 'd'].map(edit);
      const snapshotAb = Y.mergeUpdates([a!, b!]);
      const raw = new Level<string, Uint8Array>(directory, { valueEncoding: 'view' });
      // Old compaction through seq 2 (snapshot, compaction point, meta), then seqs 3 and 4 appended.
      await raw.batch([
        { type: 'put', key: oldKey.snapshot('old'), value: snapshotAb },
        { type: 'put', key: oldKey.compactedThrough('old'), value: text('2') },
        { type: 'put', key: oldKey.meta('old'), value: text(JSON.stringify({ bytes: 9, updatedAt: 5, lastSeq: 2 })) },
        { type: 'put', key: oldKey.log('old', 3), value: c! },
        { type: 'put', key: oldKey.log('old', 4), value: d! },
      ]);
      await raw.close();

      const store = await createLeveldbStore({ directory, fsync: false });
      const loaded = await store.load('old');
      expect(loaded.cursor).toEqual({ snapshotGeneration: 0, positions: [3, 4] });
      expect(await storedText(store, 'old')).toBe('abcd');
      expect(await store.list()).toEqual([{ name: 'old', bytes: 9, updatedAt: 5 }]);
      await store.appendUpdates('old', [edit('e')], null);
      expect((await store.load('old')).cursor.positions).toEqual([3, 4, 5]);
      expect(await store.compact('old', Y.encodeStateAsUpdate(doc), (await store.load('old')).cursor, { bytes: 1, updatedAt: 6 })).toBe(true);
      const compacted = await store.load('old');
      expect(compacted.log).toHaveLength(0);
      expect(compacted.cursor.snapshotGeneration).toBe(1);
      expect(await storedText(store, 'old')).toBe('abcde');
      await store.close();
    });
  });

  it('continues numbering after a fully compacted document (empty log, lastSeq in meta) and one with no compaction point', async () => {
    await withFolder(async (directory) => {
      const first = writerDoc();
      const second = writerDoc();
      const raw = new Level<string, Uint8Array>(directory, { valueEncoding: 'view' });
      await raw.batch([
        { type: 'put', key: oldKey.snapshot('full'), value: Y.mergeUpdates([first.edit('x'), first.edit('y')]) },
        { type: 'put', key: oldKey.compactedThrough('full'), value: text('6') },
        { type: 'put', key: oldKey.meta('full'), value: text(JSON.stringify({ bytes: 2, updatedAt: 1, lastSeq: 6 })) },
        // Older still: no compaction point, so the whole remaining log counts.
        { type: 'put', key: oldKey.log('bare', 1), value: second.edit('p') },
        { type: 'put', key: oldKey.log('bare', 2), value: second.edit('q') },
      ]);
      await raw.close();

      const store = await createLeveldbStore({ directory, fsync: false });
      await store.appendUpdates('full', [first.edit('z')], null);
      await store.appendUpdates('bare', [second.edit('r')], null);
      expect((await store.load('full')).cursor.positions).toEqual([7]);
      expect((await store.load('bare')).cursor.positions).toEqual([1, 2, 3]);
      expect([await storedText(store, 'full'), await storedText(store, 'bare')]).toEqual(['xyz', 'pqr']);
      await store.close();
    });
  });
});

describe('LevelDB store: compaction on disk', () => {
  it('deletes the log entries a compaction covers and keeps the later ones', async () => {
    await withFolder(async (directory) => {
      const { doc, edit } = writerDoc();
      const store = await createLeveldbStore({ directory, fsync: false });
      for (let i = 1; i <= 30; i++) {
        await store.appendUpdates('disk', [edit('x')], null);
        if (i === 10 || i === 25) {
          const loaded = await store.load('disk');
          expect(await store.compact('disk', Y.encodeStateAsUpdate(doc), loaded.cursor, { bytes: 1, updatedAt: i })).toBe(true);
        }
      }
      await store.close();
      const raw = new Level<string, Uint8Array>(directory, { valueEncoding: 'view' });
      const logKeys = await raw.keys({ gt: '!log!disk\u0000', lt: '!log!disk\u0001' }).all();
      await raw.close();
      expect(logKeys.map((key) => Number.parseInt(key.slice(key.lastIndexOf('\u0000') + 1), 16))).toEqual([26, 27, 28, 29, 30]);
    });
  });
});
