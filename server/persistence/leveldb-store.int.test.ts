import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Level } from 'level';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { runDocumentStoreContract } from './document-store-contract.js';
import { createLeveldbStore } from './leveldb-store.js';

runDocumentStoreContract('LevelDB', async () => {
  const directory = await mkdtemp(path.join(tmpdir(), 'tandem-store-'));
  return {
    open: () => createLeveldbStore({ directory, fsync: false }),
    dispose: () => rm(directory, { recursive: true, force: true }),
  };
});

describe('LevelDB store: data written before the compaction point was kept', () => {
  it('loads the whole remaining log and compacts it fully', async () => {
    const directory = await mkdtemp(path.join(tmpdir(), 'tandem-store-'));
    try {
      const doc = new Y.Doc();
      const update = (text: string): Uint8Array => {
        const before = Y.encodeStateVector(doc);
        doc.getText('t').insert(doc.getText('t').length, text);
        return Y.encodeStateAsUpdate(doc, before);
      };
      let store = await createLeveldbStore({ directory, fsync: false });
      await store.appendUpdates('old', 1, [update('a'), update('b'), update('c')], null);
      await store.compact('old', Y.encodeStateAsUpdate(doc), 2, { bytes: 1, updatedAt: 1 });
      await store.appendUpdates('old', 4, [update('d')], null);
      await store.close();
      // What an earlier version left: no compaction point.
      const raw = new Level<string, Uint8Array>(directory, { valueEncoding: 'view' });
      await raw.del('!cpt!old');
      await raw.close();

      store = await createLeveldbStore({ directory, fsync: false });
      const loaded = await store.load('old');
      expect(loaded.log).toHaveLength(2);
      expect(loaded.lastSeq).toBe(4);
      await store.compact('old', Y.encodeStateAsUpdate(doc), 4, { bytes: 1, updatedAt: 2 });
      const compacted = await store.load('old');
      expect(compacted.log).toHaveLength(0);
      const replayed = new Y.Doc();
      Y.applyUpdate(replayed, compacted.snapshot!);
      expect(replayed.getText('t').toString()).toBe('abcd');
      await store.close();
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});

describe('LevelDB store: compaction on disk', () => {
  it('deletes the log entries a compaction covers and keeps the later ones', async () => {
    const directory = await mkdtemp(path.join(tmpdir(), 'tandem-store-'));
    try {
      const doc = new Y.Doc();
      const store = await createLeveldbStore({ directory, fsync: false });
      for (let seq = 1; seq <= 30; seq++) {
        doc.getText('t').insert(doc.getText('t').length, 'x');
        await store.appendUpdates('disk', seq, [Y.encodeStateAsUpdate(doc)], null);
        if (seq === 10 || seq === 25) await store.compact('disk', Y.encodeStateAsUpdate(doc), seq, { bytes: 1, updatedAt: seq });
      }
      await store.close();
      const raw = new Level<string, Uint8Array>(directory, { valueEncoding: 'view' });
      const logKeys = await raw.keys({ gt: '!log!disk\u0000', lt: '!log!disk\u0001' }).all();
      await raw.close();
      expect(logKeys.map((key) => Number.parseInt(key.slice(key.lastIndexOf('\u0000') + 1), 16))).toEqual([26, 27, 28, 29, 30]);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
