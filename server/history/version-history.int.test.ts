/**
 * Retention as it runs: VersionHistory thins a document's versions in a real LevelDB store each
 * time it adds one (the policy itself is unit-tested in version-retention.test.ts).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { DocumentStore } from '../persistence/document-store.js';
import { createLeveldbStore } from '../persistence/leveldb-store.js';
import { ManualClock } from '../test-support/manual-clock.js';
import { VersionHistory } from './version-history.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

function state(text: string): Uint8Array {
  const doc = new Y.Doc();
  doc.getText('t').insert(0, text);
  return Y.encodeStateAsUpdate(doc);
}

describe('VersionHistory retention on a real store', () => {
  let directory: string;
  let store: DocumentStore;
  let clock: ManualClock;

  beforeEach(async () => {
    directory = await mkdtemp(path.join(tmpdir(), 'tandem-history-'));
    store = await createLeveldbStore({ directory, fsync: false });
    clock = new ManualClock();
  });
  afterEach(async () => {
    await store.close();
    await rm(directory, { recursive: true, force: true });
  });

  it('thins automatic versions as each is added: all of the last 24 h, one per hour before, named and pre-restore kept', async () => {
    const history = new VersionHistory({ store, logger: pino({ level: 'silent' }), clock });
    const named = await history.record('doc', { kind: 'named', name: 'start', state: state('start'), editors: [] });
    const preRestore = await history.record('doc', { kind: 'pre-restore', name: null, state: state('before'), editors: [] });
    // 100 hours of a version every 20 minutes: 300 automatic versions.
    for (let i = 0; i < 300; i++) {
      clock.advance(20 * MINUTE);
      await history.record('doc', { kind: 'auto', name: null, state: state(`v${i}`), editors: [{ sub: 'alice', name: null }] });
    }
    const versions = await store.listVersions('doc');
    const now = clock.now();
    const auto = versions.filter((v) => v.kind === 'auto');
    const recent = auto.filter((v) => now - v.createdAt < 24 * HOUR);
    const older = auto.filter((v) => now - v.createdAt >= 24 * HOUR);
    expect(versions.filter((v) => v.id === named || v.id === preRestore).map((v) => v.kind).sort()).toEqual(['named', 'pre-restore']);
    expect(recent).toHaveLength(72);
    expect(new Set(older.map((v) => Math.floor(v.createdAt / HOUR))).size).toBe(older.length);
    expect(older.length).toBeGreaterThanOrEqual(75);
    expect(older.length).toBeLessThanOrEqual(77);
    expect(auto.length).toBeLessThan(300);
  });

  it('keeps at most the configured number of automatic versions per document', async () => {
    const history = new VersionHistory({ store, logger: pino({ level: 'silent' }), clock, retention: { maxAutomatic: 20 } });
    const ids: number[] = [];
    for (let i = 0; i < 50; i++) {
      clock.advance(MINUTE);
      ids.push(await history.record('doc', { kind: 'auto', name: null, state: state(`v${i}`), editors: [] }));
    }
    expect((await store.listVersions('doc')).map((v) => v.id)).toEqual(ids.slice(-20).reverse());
  });
});
