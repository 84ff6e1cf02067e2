/**
 * The contract every DocumentStore must meet, as a reusable vitest suite run against LevelDB and
 * PostgreSQL. The writer races (two writers on one document) are in
 * document-store-race-contract.ts and versions in document-store-version-contract.ts, called from here.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { DocumentStore, StoredDocument } from './document-store.js';
import { runWriterRaceContract } from './document-store-race-contract.js';
import { runVersionContract } from './document-store-version-contract.js';

export interface StoreHarness {
  open(): Promise<DocumentStore>;
  /**
   * Another writer on the same data, as a second process would have it: a second store
   * instance where the engine allows it (PostgreSQL), else the same store (LevelDB, one process
   * per folder). The suite closes it before the main store.
   */
  openPeer(store: DocumentStore): Promise<DocumentStore>;
  /** Deletes everything the harness created. */
  dispose(): Promise<void>;
}

export function textUpdate(doc: Y.Doc, text: string): Uint8Array {
  let captured: Uint8Array | null = null;
  const capture = (update: Uint8Array): void => {
    captured = update;
  };
  doc.on('update', capture);
  doc.getText('t').insert(doc.getText('t').length, text);
  doc.off('update', capture);
  return captured!;
}

export function replayInto(doc: Y.Doc, stored: Pick<StoredDocument, 'snapshot' | 'log'>): Y.Doc {
  if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot);
  for (const update of stored.log) Y.applyUpdate(doc, update);
  return doc;
}

function replay(stored: Pick<StoredDocument, 'snapshot' | 'log'>): string {
  return replayInto(new Y.Doc(), stored).getText('t').toString();
}

const hex = (updates: Uint8Array[]): string[] => updates.map((u) => Buffer.from(u).toString('hex'));
const stats = (n: number) => ({ bytes: n, updatedAt: n });

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

    it('loads an unknown document as empty, at generation 0', async () => {
      expect(await store.load('never-written')).toEqual({ snapshot: null, log: [], cursor: { snapshotGeneration: 0, positions: [] } });
    });

    it('appends in order at ascending store-assigned positions and loads the log back, per document', async () => {
      const doc = new Y.Doc();
      const updates = ['a', 'b', 'c'].map((text) => textUpdate(doc, text));
      await store.appendUpdates('doc', [updates[0]!], stats(10));
      await store.appendUpdates('doc', [updates[1]!, updates[2]!], stats(30));
      await store.appendUpdates('doc.other', [textUpdate(new Y.Doc(), 'zzz')], stats(5));
      const loaded = await store.load('doc');
      expect(hex(loaded.log)).toEqual(hex(updates));
      const { positions } = loaded.cursor;
      expect(positions).toHaveLength(3);
      expect(positions).toEqual([...positions].sort((a, b) => a - b));
      expect(new Set(positions).size).toBe(3);
      expect(replay(loaded)).toBe('abc');
      expect(replay(await store.load('doc.other'))).toBe('zzz');
    });

    it('does not mix documents whose names share a prefix', async () => {
      await store.appendUpdates('a', [textUpdate(new Y.Doc(), 'A')], stats(1));
      await store.appendUpdates('a-b', [textUpdate(new Y.Doc(), 'AB')], stats(1));
      expect(replay(await store.load('a'))).toBe('A');
      expect(replay(await store.load('a-b'))).toBe('AB');
    });

    it('compaction replaces exactly the loaded entries with the snapshot and keeps one appended after the load', async () => {
      const doc = new Y.Doc();
      for (let i = 0; i < 4; i++) await store.appendUpdates('doc', [textUpdate(doc, String(i))], stats(i));
      const loaded = await store.load('doc');
      const snapshot = Y.encodeStateAsUpdate(doc);
      const late = textUpdate(doc, '4');
      await store.appendUpdates('doc', [late], null);
      expect(await store.compact('doc', snapshot, loaded.cursor, stats(50))).toBe(true);
      const after = await store.load('doc');
      expect(hex(after.log)).toEqual(hex([late]));
      expect(after.cursor.snapshotGeneration).toBe(loaded.cursor.snapshotGeneration + 1);
      expect(replay(after)).toBe('01234');
      expect(await store.compact('doc', Y.encodeStateAsUpdate(doc), after.cursor, stats(51))).toBe(true);
      const final = await store.load('doc');
      expect({ log: final.log.length, generation: final.cursor.snapshotGeneration, text: replay(final) }).toEqual({ log: 0, generation: 2, text: '01234' });
    });

    it('refuses a compaction whose load predates another compaction, changing nothing', async () => {
      const doc = new Y.Doc();
      await store.appendUpdates('cas', [textUpdate(doc, 'a')], null);
      const first = await store.load('cas');
      const second = await store.load('cas');
      expect(await store.compact('cas', Y.encodeStateAsUpdate(doc), second.cursor, stats(1))).toBe(true);
      await store.appendUpdates('cas', [textUpdate(doc, 'b')], null);
      const before = await store.load('cas');
      expect(await store.compact('cas', new Uint8Array([0, 0]), first.cursor, stats(2))).toBe(false);
      const after = await store.load('cas');
      expect({ snapshot: hex([after.snapshot!]), log: hex(after.log), cursor: after.cursor }).toEqual({
        snapshot: hex([before.snapshot!]),
        log: hex(before.log),
        cursor: before.cursor,
      });
      expect(replay(after)).toBe('ab');
    });

    it('after several compactions loads exactly the snapshot and the entries written since the last', async () => {
      const doc = new Y.Doc();
      let last: Uint8Array | null = null;
      for (let round = 0; round < 3; round++) {
        for (let i = 0; i < 3; i++) await store.appendUpdates('rounds', [textUpdate(doc, String(round * 3 + i))], null);
        const loaded = await store.load('rounds');
        last = textUpdate(doc, 'x');
        await store.appendUpdates('rounds', [last], null);
        expect(await store.compact('rounds', Y.encodeStateAsUpdate(doc), loaded.cursor, stats(round))).toBe(true);
      }
      const loaded = await store.load('rounds');
      expect(hex(loaded.log)).toEqual(hex([last!]));
      expect(loaded.cursor.snapshotGeneration).toBe(3);
      expect(replay(loaded)).toBe(doc.getText('t').toString());
    });

    it('lists documents with their stats, and leaves them alone when an append brings none', async () => {
      await store.appendUpdates('one', [textUpdate(new Y.Doc(), 'x')], { bytes: 11, updatedAt: 1_000 });
      await store.appendUpdates('two', [textUpdate(new Y.Doc(), 'y')], { bytes: 22, updatedAt: 2_000 });
      await store.appendUpdates('two', [textUpdate(new Y.Doc(), 'z')], null);
      const listed = (await store.list()).sort((a, b) => a.name.localeCompare(b.name));
      expect(listed).toEqual([
        { name: 'one', bytes: 11, updatedAt: 1_000 },
        { name: 'two', bytes: 22, updatedAt: 2_000 },
      ]);
    });

    it('delete removes content and listing, fails a compaction from an earlier load, and the name can be written again', async () => {
      const doc = new Y.Doc();
      await store.appendUpdates('gone', [textUpdate(doc, 'old')], stats(3));
      const beforeDelete = await store.load('gone');
      await store.delete('gone');
      const deleted = await store.load('gone');
      expect({ snapshot: deleted.snapshot, log: deleted.log }).toEqual({ snapshot: null, log: [] });
      expect(await store.list()).toEqual([]);
      expect(await store.compact('gone', Y.encodeStateAsUpdate(doc), beforeDelete.cursor, stats(3))).toBe(false);
      await store.appendUpdates('gone', [textUpdate(new Y.Doc(), 'new')], stats(4));
      const reborn = await store.load('gone');
      expect(replay(reborn)).toBe('new');
      expect(Math.min(...reborn.cursor.positions)).toBeGreaterThan(Math.max(...beforeDelete.cursor.positions));
      expect(await store.compact('gone', reborn.log[0]!, reborn.cursor, stats(4))).toBe(true);
      expect(replay(await store.load('gone'))).toBe('new');
    });

    it('answers ping while open', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });

    it('keeps what was written across close and reopen, and numbers on after it', async () => {
      await store.appendUpdates('kept', [textUpdate(new Y.Doc(), 'durable')], stats(7));
      const before = await store.load('kept');
      await store.close();
      store = await harness.open();
      await store.appendUpdates('kept', [textUpdate(new Y.Doc(), '!')], null);
      const after = await store.load('kept');
      expect(after.cursor.positions[0]).toBe(before.cursor.positions[0]);
      expect(after.cursor.positions[1]).toBeGreaterThan(before.cursor.positions[0]!);
      expect(replay(after)).toContain('durable');
    });

    runWriterRaceContract(() => ({ store, harness }));
    runVersionContract(() => ({ store, harness }));
  });
}
