/**
 * Part of the DocumentStore contract (document-store-contract.ts): versions. Ids ascending per
 * document and never reused, states back byte for byte (compressed only when that is smaller),
 * listing newest first, deletion by id, and deleting the document deletes its versions.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { DocumentStore } from './document-store.js';
import type { NewVersion } from './document-versions.js';
import type { StoreHarness } from './document-store-contract.js';

function textState(text: string): Uint8Array {
  const doc = new Y.Doc();
  doc.getText('t').insert(0, text);
  return Y.encodeStateAsUpdate(doc);
}

function version(overrides: Partial<NewVersion> = {}): NewVersion {
  return {
    kind: 'auto',
    name: null,
    createdAt: 1_000,
    state: textState('hello'),
    editors: [{ sub: 'alice', name: 'Alice' }],
    ...overrides,
  };
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

export function runVersionContract(current: () => { store: DocumentStore; harness: StoreHarness }): void {
  describe('versions', () => {
    it('numbers versions ascending per document and lists them newest first with their records', async () => {
      const { store } = current();
      // Its own state: a fresh Y.Doc's random client id makes state sizes vary by a byte or two.
      const state = textState('hello');
      const first = await store.addVersion('doc', version({ createdAt: 1, state }));
      const second = await store.addVersion('doc', version({ kind: 'named', name: 'Draft 1', createdAt: 2, editors: [] }));
      await store.addVersion('doc-other', version());
      expect(second).toBeGreaterThan(first);
      const listed = await store.listVersions('doc');
      expect(listed.map((v) => v.id)).toEqual([second, first]);
      expect(listed[0]).toMatchObject({ id: second, kind: 'named', name: 'Draft 1', createdAt: 2, editors: [] });
      expect(listed[1]).toMatchObject({ id: first, kind: 'auto', name: null, createdAt: 1, editors: [{ sub: 'alice', name: 'Alice' }] });
      expect(listed[1]!.bytes).toBe(state.length);
      expect(await store.listVersions('never-versioned')).toEqual([]);
    });

    it('gives back the exact state, gzip-compressed when that is smaller and stored as is when not', async () => {
      const { store } = current();
      const repetitive = textState('the same sentence again. '.repeat(2_000));
      const random = randomBytes(4_096);
      const zippedId = await store.addVersion('doc', version({ state: repetitive }));
      const plainId = await store.addVersion('doc', version({ state: random }));
      const zipped = await store.loadVersion('doc', zippedId);
      const plain = await store.loadVersion('doc', plainId);
      expect(hex(zipped!.state)).toBe(hex(repetitive));
      expect(zipped).toMatchObject({ encoding: 'gzip', bytes: repetitive.length });
      expect(zipped!.storedBytes).toBeLessThan(repetitive.length / 10);
      expect(hex(plain!.state)).toBe(hex(random));
      expect(plain).toMatchObject({ encoding: 'none', bytes: 4_096, storedBytes: 4_096 });
    });

    it('answers null for an unknown id, another document\'s id, and ids that are not positive integers', async () => {
      const { store } = current();
      const id = await store.addVersion('mine', version());
      expect(await store.loadVersion('theirs', id)).toBeNull();
      expect(await store.loadVersion('mine', id + 1_000)).toBeNull();
      expect(await store.loadVersion('mine', 0)).toBeNull();
      expect(await store.loadVersion('mine', -1)).toBeNull();
      expect(await store.loadVersion('mine', 1.5)).toBeNull();
    });

    it('deletes exactly the listed versions', async () => {
      const { store } = current();
      const ids = [];
      for (let i = 0; i < 4; i++) ids.push(await store.addVersion('doc', version({ createdAt: i })));
      await store.deleteVersions('doc', [ids[0]!, ids[2]!, 999_999]);
      expect((await store.listVersions('doc')).map((v) => v.id)).toEqual([ids[3], ids[1]]);
      expect(await store.loadVersion('doc', ids[0]!)).toBeNull();
      expect((await store.loadVersion('doc', ids[1]!))?.id).toBe(ids[1]);
    });

    it('deleting the document deletes its versions and later ones are numbered after them', async () => {
      const { store } = current();
      const before = await store.addVersion('gone', version());
      await store.addVersion('kept', version());
      await store.delete('gone');
      expect(await store.listVersions('gone')).toEqual([]);
      expect(await store.loadVersion('gone', before)).toBeNull();
      expect(await store.listVersions('kept')).toHaveLength(1);
      expect(await store.addVersion('gone', version())).toBeGreaterThan(before);
    });

    it('two writers adding at once get distinct ascending ids and both versions are kept', async () => {
      const { store, harness } = current();
      const peer = await harness.openPeer(store);
      try {
        const ids = await Promise.all([
          ...Array.from({ length: 5 }, (_, i) => store.addVersion('shared', version({ createdAt: i }))),
          ...Array.from({ length: 5 }, (_, i) => peer.addVersion('shared', version({ createdAt: 10 + i }))),
        ]);
        expect(new Set(ids).size).toBe(10);
        expect((await store.listVersions('shared')).map((v) => v.id)).toEqual([...ids].sort((a, b) => b - a));
      } finally {
        await peer.close();
      }
    });

    it('keeps versions across close and reopen, and numbers on after them', async () => {
      const { harness } = current();
      let { store } = current();
      const id = await store.addVersion('kept', version({ kind: 'pre-restore' }));
      await store.close();
      store = await harness.open();
      try {
        expect((await store.loadVersion('kept', id))?.kind).toBe('pre-restore');
        expect(await store.addVersion('kept', version())).toBeGreaterThan(id);
      } finally {
        await store.close();
      }
    });
  });
}
