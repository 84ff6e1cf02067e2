/**
 * Part of the DocumentStore contract (document-store-contract.ts): two writers on one document,
 * as two cluster members would be, appending and compacting at the same time. Each writer works
 * like DocumentWriter: its own writes one at a time, and a compaction loads, merges what it
 * loaded into its own document, and compacts with the load's cursor.
 */
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { DocumentStore } from './document-store.js';
import type { StoreHarness } from './document-store-contract.js';
import { seededRandom } from '../test-support/seeded-random.js';

interface Writer {
  store: DocumentStore;
  doc: Y.Doc;
}

function pushItem(writer: Writer, item: string): Uint8Array {
  let captured: Uint8Array | null = null;
  const capture = (update: Uint8Array): void => {
    captured = update;
  };
  writer.doc.on('update', capture);
  writer.doc.getArray<string>('items').push([item]);
  writer.doc.off('update', capture);
  return captured!;
}

async function append(writer: Writer, name: string, item: string): Promise<void> {
  await writer.store.appendUpdates(name, [pushItem(writer, item)], null);
}

/** A few turns of the event loop, so that two writers' calls interleave differently. */
async function yieldTurns(turns: number): Promise<void> {
  for (; turns > 0; turns--) await new Promise((resolve) => setImmediate(resolve));
}

/** Load, merge into the writer's document, compact with the load's cursor. */
async function compact(writer: Writer, name: string, meanwhile: () => Promise<void> = () => Promise.resolve()): Promise<boolean> {
  const stored = await writer.store.load(name);
  await meanwhile(); // the other writer may append or compact here
  if (stored.snapshot) Y.applyUpdate(writer.doc, stored.snapshot);
  for (const update of stored.log) Y.applyUpdate(writer.doc, update);
  const snapshot = Y.encodeStateAsUpdate(writer.doc);
  return writer.store.compact(name, snapshot, stored.cursor, { bytes: snapshot.length, updatedAt: Date.now() });
}

async function storedItems(store: DocumentStore, name: string): Promise<string[]> {
  const stored = await store.load(name);
  const doc = new Y.Doc();
  if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot);
  for (const update of stored.log) Y.applyUpdate(doc, update);
  return doc.getArray<string>('items').toArray().sort();
}

export function runWriterRaceContract(current: () => { store: DocumentStore; harness: StoreHarness }): void {
  describe('two writers on one document', () => {
    async function twoWriters(): Promise<{ a: Writer; b: Writer; close: () => Promise<void> }> {
      const { store, harness } = current();
      const peer = await harness.openPeer(store);
      return { a: { store, doc: new Y.Doc() }, b: { store: peer, doc: new Y.Doc() }, close: () => peer.close() };
    }

    it('a compaction never deletes what the other writer appended after its load', async () => {
      const { a, b, close } = await twoWriters();
      try {
        await append(a, 'shared', 'a1');
        const loaded = await a.store.load('shared');
        await append(b, 'shared', 'b1');
        expect(await a.store.compact('shared', Y.encodeStateAsUpdate(a.doc), loaded.cursor, { bytes: 1, updatedAt: 1 })).toBe(true);
        expect(await storedItems(b.store, 'shared')).toEqual(['a1', 'b1']);
        expect((await b.store.load('shared')).log).toHaveLength(1);
      } finally {
        await close();
      }
    });

    it('of two compactions from one load generation the second is refused, and wins after reloading', async () => {
      const { a, b, close } = await twoWriters();
      try {
        await append(a, 'shared', 'a1');
        await append(b, 'shared', 'b1');
        const seenByA = await a.store.load('shared');
        expect(await compact(b, 'shared')).toBe(true);
        await append(b, 'shared', 'b2');
        expect(await a.store.compact('shared', Y.encodeStateAsUpdate(a.doc), seenByA.cursor, { bytes: 1, updatedAt: 1 })).toBe(false);
        expect(await storedItems(a.store, 'shared')).toEqual(['a1', 'b1', 'b2']);
        expect(await compact(a, 'shared')).toBe(true);
        expect(await storedItems(b.store, 'shared')).toEqual(['a1', 'b1', 'b2']);
      } finally {
        await close();
      }
    });

    it('interleaved appends and compactions (seeded) keep every appended update', async () => {
      const { a, b, close } = await twoWriters();
      const random = seededRandom(11);
      const outcomes = { won: 0, lost: 0 };
      const expected: string[] = [];
      const steps = { a: 0, b: 0 };
      const done = { a: false, b: false };
      const waiting = { a: false, b: false };
      // Sometimes let the other writer take a step or two between our load and our compaction
      // (unless it is itself waiting for us, or finished).
      const letOtherStep = (self: 'a' | 'b', other: 'a' | 'b', count: number) => async (): Promise<void> => {
        const target = steps[other] + count;
        waiting[self] = true;
        while (steps[other] < target && !done[other] && !waiting[other]) await new Promise((resolve) => setTimeout(resolve, 1));
        waiting[self] = false;
      };
      const run = async (writer: Writer, label: 'a' | 'b'): Promise<void> => {
        const other = label === 'a' ? 'b' : 'a';
        for (let k = 0; k < 60; k++, steps[label]++) {
          await yieldTurns(random.int(3));
          if (random.next() < 0.3) {
            outcomes[(await compact(writer, 'raced', letOtherStep(label, other, random.int(3)))) ? 'won' : 'lost']++;
          } else {
            const item = `${label}${k}`;
            await append(writer, 'raced', item);
            expected.push(item);
          }
          // Every acknowledged append is stored at every moment, not only once the race is over
          // (a stale compaction could drop content that a later one happens to restore).
          const acknowledged = [...expected];
          const stored = new Set(await storedItems(writer.store, 'raced'));
          const missing = acknowledged.filter((item) => !stored.has(item));
          expect(missing, `missing after ${label}${k}`).toEqual([]);
        }
        done[label] = true;
      };
      try {
        await Promise.all([run(a, 'a'), run(b, 'b')]);
        expect(await storedItems(a.store, 'raced')).toEqual(expected.sort());
        // The seed makes them race: some compactions lose.
        expect(outcomes.lost).toBeGreaterThan(0);
        expect(outcomes.won).toBeGreaterThan(1);
        // Merged into one snapshot, the last compaction holds everything too.
        expect(await compact(a, 'raced')).toBe(true);
        const stored = await a.store.load('raced');
        expect(stored.log).toHaveLength(0);
        expect(await storedItems(b.store, 'raced')).toEqual(expected);
      } finally {
        await close();
      }
    });
  });
}
