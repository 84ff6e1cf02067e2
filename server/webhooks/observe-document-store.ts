/**
 * Wraps a DocumentStore to see documents being created and deleted, whoever goes through it (the
 * room writer, the coming HTTP API). Created: the first successful append to a document that
 * loaded empty (never stored, or deleted since). Deleted: a successful delete. The callbacks run
 * after the store's own promise settled, and must not throw.
 */
import type { DocumentStore } from '../persistence/document-store.js';

export interface DocumentStoreObserver {
  created(name: string): void;
  deleted(name: string): void;
}

const MAX_EMPTY_NAMES = 100_000;

export function observeDocumentStore(store: DocumentStore, observer: DocumentStoreObserver): DocumentStore {
  // Names loaded empty and not stored since; capped (oldest forgotten) against opening many names.
  const loadedEmpty = new Set<string>();
  return {
    async load(name) {
      const stored = await store.load(name);
      loadedEmpty.delete(name);
      if (stored.snapshot === null && stored.log.length === 0) {
        loadedEmpty.add(name);
        if (loadedEmpty.size > MAX_EMPTY_NAMES) loadedEmpty.delete(loadedEmpty.values().next().value!);
      }
      return stored;
    },
    async appendUpdates(name, updates, stats) {
      await store.appendUpdates(name, updates, stats);
      if (loadedEmpty.delete(name)) observer.created(name);
    },
    compact: (name, snapshot, cursor, stats) => store.compact(name, snapshot, cursor, stats),
    async delete(name) {
      await store.delete(name);
      loadedEmpty.delete(name);
      observer.deleted(name);
    },
    list: () => store.list(),
    addVersion: (name, version) => store.addVersion(name, version),
    listVersions: (name) => store.listVersions(name),
    loadVersion: (name, id) => store.loadVersion(name, id),
    deleteVersions: (name, ids) => store.deleteVersions(name, ids),
    ping: () => store.ping(),
    close: () => store.close(),
  };
}
