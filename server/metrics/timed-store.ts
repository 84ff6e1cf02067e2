/**
 * A DocumentStore that times its writes (appends and compactions) into the store write latency
 * histogram, and otherwise hands every call through. Wrapped around the store the room loader
 * writes with, so the writer and the store stay unaware of metrics.
 */
import { performance } from 'node:perf_hooks';
import type { DocumentStore } from '../persistence/document-store.js';
import type { TandemMetrics } from './metrics.js';

export function timeStoreWrites(store: DocumentStore, metrics: TandemMetrics): DocumentStore {
  const append = metrics.storeWriteSeconds.labels('append');
  const compact = metrics.storeWriteSeconds.labels('compact');
  return {
    load: (name) => store.load(name),
    // Timed by hand: prom-client's startTimer allocated more per append than the rest of it.
    async appendUpdates(name, updates, stats) {
      const start = performance.now();
      try {
        await store.appendUpdates(name, updates, stats);
      } finally {
        append.observe((performance.now() - start) / 1000);
      }
    },
    async compact(name, snapshot, cursor, stats) {
      const stop = compact.startTimer();
      try {
        return await store.compact(name, snapshot, cursor, stats);
      } finally {
        stop();
      }
    },
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
