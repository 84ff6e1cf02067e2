/**
 * Wraps a real DocumentStore and makes chosen calls fail, to test how callers handle storage
 * errors. Everything that does go through is written by the real store underneath.
 */
import type { DocumentStore } from '../persistence/document-store.js';

export interface FaultyStore extends DocumentStore {
  /** The next `count` appends (and compactions) reject. */
  failNext(count: number): void;
  /** While true every append/compact rejects. */
  failing: boolean;
  readonly appendCalls: number;
  /** Appends and compactions: every write attempt (a retry after a failure is a compaction). */
  readonly writeCalls: number;
}

export function withFaults(inner: DocumentStore): FaultyStore {
  let failures = 0;
  let appendCalls = 0;
  let writeCalls = 0;
  const maybeFail = (): void => {
    if (store.failing || failures > 0) {
      if (failures > 0) failures--;
      throw new Error('injected storage failure');
    }
  };
  const store: FaultyStore = {
    failing: false,
    get appendCalls() {
      return appendCalls;
    },
    get writeCalls() {
      return writeCalls;
    },
    failNext(count) {
      failures = count;
    },
    load: (name) => inner.load(name),
    async appendUpdates(name, updates, stats) {
      appendCalls++;
      writeCalls++;
      maybeFail();
      return inner.appendUpdates(name, updates, stats);
    },
    async compact(name, snapshot, cursor, stats) {
      writeCalls++;
      maybeFail();
      return inner.compact(name, snapshot, cursor, stats);
    },
    delete: (name) => inner.delete(name),
    list: () => inner.list(),
    addVersion: (name, version) => inner.addVersion(name, version),
    listVersions: (name) => inner.listVersions(name),
    loadVersion: (name, id) => inner.loadVersion(name, id),
    deleteVersions: (name, ids) => inner.deleteVersions(name, ids),
    ping: () => inner.ping(),
    close: () => inner.close(),
  };
  return store;
}
