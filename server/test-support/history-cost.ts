/**
 * Measures what version history costs in storage: a scripted editing session (updates with the
 * time before each) goes through the real pipeline (LevelDB store, room loader and writer,
 * registry, a lease editing like a client, VersionHistory on a driven clock), the document is
 * released (which cuts the last version), and the stored versions are summed up. Used by a
 * scaled-down test and by bench/history-storage.ts for the full figures.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as Y from 'yjs';
import { pino } from 'pino';
import { createLeveldbStore } from '../persistence/leveldb-store.js';
import type { DocumentStore } from '../persistence/document-store.js';
import type { VersionKind } from '../persistence/document-versions.js';
import { createRoomLoader } from '../room/load-room.js';
import { DocumentRegistry } from '../room/document-registry.js';
import { VersionHistory, type HistorySchedule } from '../history/version-history.js';
import type { RetentionPolicy } from '../history/version-retention.js';
import { ManualClock } from './manual-clock.js';
import { waitFor } from './wait-for.js';

export interface TimedUpdate {
  /** Simulated time since the previous update. */
  afterMs: number;
  update: Uint8Array;
}

export interface HistoryCost {
  /** Right after the session. */
  session: HistorySummary;
  /** After `thenAgeMs` and one more version (retention thinned the rest); null without thenAgeMs. */
  aged: HistorySummary | null;
  /** The document's final state, encoded (what a version of it holds uncompressed). */
  documentBytes: number;
  simulatedMs: number;
}

export interface HistorySummary {
  versions: number;
  byKind: Partial<Record<VersionKind, number>>;
  /** Versions as stored (compressed where that was smaller). */
  historyStoredBytes: number;
  historyRawBytes: number;
  /** historyStoredBytes / documentBytes. */
  bytesPerDocumentByte: number;
}

export interface HistoryCostOptions {
  updates: Iterable<TimedUpdate>;
  schedule?: Partial<HistorySchedule>;
  retention?: Partial<RetentionPolicy>;
  /** After the session: move the clock on this far and name a version, so retention thins the rest (0: not). */
  thenAgeMs?: number;
}

const DOC = 'measured';

export async function measureHistoryCost(options: HistoryCostOptions): Promise<HistoryCost> {
  const directory = await mkdtemp(path.join(tmpdir(), 'tandem-history-cost-'));
  const logger = pino({ level: 'silent' });
  const store = await createLeveldbStore({ directory, fsync: false });
  const clock = new ManualClock();
  const start = clock.now();
  try {
    const history = new VersionHistory({ store, logger, clock, ...(options.schedule ? { schedule: options.schedule } : {}), ...(options.retention ? { retention: options.retention } : {}) });
    const registry = new DocumentRegistry({
      loadRoom: history.wrapLoader(createRoomLoader({ store, logger, compaction: { maxLogEntries: 500, maxLogBytes: 4 * 1024 * 1024 } })),
      logger,
    });
    const lease = await registry.open(DOC);
    let applied = 0;
    for (const { afterMs, update } of options.updates) {
      clock.advance(afterMs);
      lease.transact((doc) => Y.applyUpdate(doc, update));
      // Let the writer and the versions keep up, as they would in real time.
      if (++applied % 500 === 0) await Promise.all([lease.whenSaved(), history.idle()]);
    }
    const documentBytes = Y.encodeStateAsUpdate(lease.doc).length;
    await lease.whenSaved();
    lease.release();
    await waitFor(() => registry.peekLoaded(DOC) === null, { timeoutMs: 60_000, message: 'the measured document to unload' });
    await history.idle();
    const simulatedMs = clock.now() - start;
    const session = await summarize(store, documentBytes);
    let aged: HistorySummary | null = null;
    if (options.thenAgeMs) {
      clock.advance(options.thenAgeMs);
      const { snapshot, log } = await store.load(DOC);
      await history.record(DOC, { kind: 'named', name: 'aged', state: Y.mergeUpdates([...(snapshot ? [snapshot] : []), ...log]), editors: [] });
      aged = await summarize(store, documentBytes);
    }
    return { session, aged, documentBytes, simulatedMs };
  } finally {
    await store.close();
    await rm(directory, { recursive: true, force: true });
  }
}

async function summarize(store: DocumentStore, documentBytes: number): Promise<HistorySummary> {
  const versions = await store.listVersions(DOC);
  const byKind: Partial<Record<VersionKind, number>> = {};
  for (const version of versions) byKind[version.kind] = (byKind[version.kind] ?? 0) + 1;
  const historyStoredBytes = versions.reduce((sum, v) => sum + v.storedBytes, 0);
  return {
    versions: versions.length,
    byKind,
    historyStoredBytes,
    historyRawBytes: versions.reduce((sum, v) => sum + v.bytes, 0),
    bytesPerDocumentByte: historyStoredBytes / documentBytes,
  };
}

/**
 * A typist's session from one update per keystroke: `perSecond` keystrokes a second, and a
 * pause of `pauseMs` after every `burst` keystrokes.
 */
export function* typingSession(updates: readonly Uint8Array[], { perSecond = 5, burst = 1_500, pauseMs = 120_000 } = {}): Generator<TimedUpdate> {
  const gap = 1_000 / perSecond;
  for (let i = 0; i < updates.length; i++) yield { afterMs: i > 0 && i % burst === 0 ? pauseMs : gap, update: updates[i]! };
}

/**
 * A large document edited for a while: its full text as the first update, then one keystroke
 * (an insertion or a backspace at a random place) every `everyMs` for `durationMs`.
 */
export function* largeDocumentSession(text: string, { durationMs = 60 * 60_000, everyMs = 200, seed = 11 } = {}): Generator<TimedUpdate> {
  const doc = new Y.Doc();
  const ytext = doc.getText('t');
  let captured: Uint8Array | null = null;
  doc.on('update', (update: Uint8Array) => (captured = update));
  ytext.insert(0, text);
  yield { afterMs: 0, update: captured! };
  let state = seed >>> 0;
  const random = (): number => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 4_294_967_296;
  };
  let cursor = Math.floor(random() * ytext.length);
  for (let t = everyMs; t <= durationMs; t += everyMs) {
    if (random() < 0.01) cursor = Math.floor(random() * ytext.length);
    if (random() < 0.1 && cursor > 0) ytext.delete(--cursor, 1);
    else ytext.insert(cursor++, 'abcdefghijklmnopqrstuvwxyz '[Math.floor(random() * 27)]!);
    yield { afterMs: everyMs, update: captured! };
  }
  doc.destroy();
}
