/**
 * The contract every DocumentStore must meet, as a reusable vitest suite: LevelDB runs it today,
 * a PostgreSQL store runs the same suite when it lands.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { DocumentStore } from './document-store.js';

export interface StoreHarness {
  open(): Promise<DocumentStore>;
  /** Deletes everything the harness created. */
  dispose(): Promise<void>;
}

function textUpdate(doc: Y.Doc, text: string): Uint8Array {
  let captured: Uint8Array | null = null;
  const capture = (update: Uint8Array): void => {
    captured = update;
  };
  doc.on('update', capture);
  doc.getText('t').insert(doc.getText('t').length, text);
  doc.off('update', capture);
  return captured!;
}

function replay(stored: { snapshot: Uint8Array | null; log: Uint8Array[] }): string {
  const doc = new Y.Doc();
  if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot);
  for (const update of stored.log) Y.applyUpdate(doc, update);
  return doc.getText('t').toString();
}

export function runDocumentStoreContract(name: string, createHarness: () => Promise<StoreHarness>): void {
  describe(`DocumentStore contract: ${name}`, () => {
    let harness: StoreHarness;
    let store: DocumentStore;

    beforeEach(async () => {
      harness = await createHarness();
      store = await harness.open();
    });

    afterEach(async () => {
      await store.close();
      await harness.dispose();
    });

    it('loads an unknown document as empty', async () => {
      expect(await store.load('never-written')).toEqual({ snapshot: null, log: [], lastSeq: 0 });
    });

    it('appends in order and loads the log back, per document', async () => {
      const doc = new Y.Doc();
      const updates = ['a', 'b', 'c'].map((text) => textUpdate(doc, text));
      await store.appendUpdates('doc', 1, [updates[0]!], { bytes: 10, updatedAt: 1 });
      await store.appendUpdates('doc', 2, [updates[1]!, updates[2]!], { bytes: 30, updatedAt: 2 });
      await store.appendUpdates('doc.other', 1, [textUpdate(new Y.Doc(), 'zzz')], { bytes: 5, updatedAt: 3 });
      const loaded = await store.load('doc');
      expect(loaded.lastSeq).toBe(3);
      expect(loaded.log.map((u) => Buffer.from(u).toString('hex'))).toEqual(updates.map((u) => Buffer.from(u).toString('hex')));
      expect(replay(loaded)).toBe('abc');
      expect(replay(await store.load('doc.other'))).toBe('zzz');
    });

    it('does not mix documents whose names share a prefix', async () => {
      await store.appendUpdates('a', 1, [textUpdate(new Y.Doc(), 'A')], { bytes: 1, updatedAt: 1 });
      await store.appendUpdates('a-b', 1, [textUpdate(new Y.Doc(), 'AB')], { bytes: 1, updatedAt: 1 });
      expect(replay(await store.load('a'))).toBe('A');
      expect(replay(await store.load('a-b'))).toBe('AB');
    });

    it('compaction replaces the log with a snapshot and keeps numbering after it', async () => {
      const doc = new Y.Doc();
      for (let i = 0; i < 5; i++) await store.appendUpdates('doc', i + 1, [textUpdate(doc, String(i))], { bytes: i, updatedAt: i });
      await store.compact('doc', Y.encodeStateAsUpdate(doc), 4, { bytes: 50, updatedAt: 10 });
      let loaded = await store.load('doc');
      expect(loaded.log).toHaveLength(1); // seq 5 was not covered by the compaction
      expect(loaded.lastSeq).toBe(5);
      expect(replay(loaded)).toBe('01234');
      await store.compact('doc', Y.encodeStateAsUpdate(doc), 5, { bytes: 50, updatedAt: 11 });
      loaded = await store.load('doc');
      expect(loaded.log).toHaveLength(0);
      expect(loaded.lastSeq).toBe(5);
      expect(replay(loaded)).toBe('01234');
    });

    it('after several compactions loads exactly the snapshot and the entries written since the last', async () => {
      const doc = new Y.Doc();
      let seq = 0;
      for (let round = 0; round < 3; round++) {
        for (let i = 0; i < 4; i++) await store.appendUpdates('rounds', ++seq, [textUpdate(doc, String(seq % 10))], null);
        await store.compact('rounds', Y.encodeStateAsUpdate(doc), seq - 1, { bytes: seq, updatedAt: seq });
      }
      const loaded = await store.load('rounds');
      expect(loaded.log).toHaveLength(1);
      expect(loaded.lastSeq).toBe(seq);
      expect(replay(loaded)).toBe(doc.getText('t').toString());
    });

    it('lists documents with their stats', async () => {
      await store.appendUpdates('one', 1, [textUpdate(new Y.Doc(), 'x')], { bytes: 11, updatedAt: 1_000 });
      await store.appendUpdates('two', 1, [textUpdate(new Y.Doc(), 'y')], { bytes: 22, updatedAt: 2_000 });
      const listed = (await store.list()).sort((a, b) => a.name.localeCompare(b.name));
      expect(listed).toEqual([
        { name: 'one', bytes: 11, updatedAt: 1_000 },
        { name: 'two', bytes: 22, updatedAt: 2_000 },
      ]);
    });

    it('leaves the listed stats alone when an append brings none', async () => {
      await store.appendUpdates('quiet', 1, [textUpdate(new Y.Doc(), 'a')], { bytes: 5, updatedAt: 500 });
      await store.appendUpdates('quiet', 2, [textUpdate(new Y.Doc(), 'b')], null);
      expect(await store.list()).toEqual([{ name: 'quiet', bytes: 5, updatedAt: 500 }]);
      expect((await store.load('quiet')).lastSeq).toBe(2);
    });

    it('keeps what was written across close and reopen', async () => {
      await store.appendUpdates('kept', 1, [textUpdate(new Y.Doc(), 'durable')], { bytes: 7, updatedAt: 1 });
      await store.close();
      store = await harness.open();
      expect(replay(await store.load('kept'))).toBe('durable');
    });
  });
}
