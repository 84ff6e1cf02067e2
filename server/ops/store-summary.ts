/**
 * How many documents the store holds and their stored bytes, for the admin overview. It comes from
 * `store.list()`, one listing entry per document (a LevelDB range scan, one PostgreSQL query), so
 * it costs in proportion to the number of documents: the total is computed at most once per
 * `maxAgeMs` however many admin pages poll, and callers meanwhile share the last one (or the one
 * being computed).
 */
import type { DocumentStore } from '../persistence/document-store.js';
import type { StoreSummary } from '../../shared/admin-overview.js';

export const STORE_SUMMARY_MAX_AGE_MS = 10_000;

export function createStoreSummary(store: Pick<DocumentStore, 'list'>, maxAgeMs = STORE_SUMMARY_MAX_AGE_MS): () => Promise<StoreSummary> {
  let last: { at: number; summary: Promise<StoreSummary> } | null = null;
  return () => {
    const now = Date.now();
    if (last && now - last.at < maxAgeMs) return last.summary;
    const summary = store.list().then((documents) => ({
      documents: documents.length,
      bytes: documents.reduce((sum, doc) => sum + doc.bytes, 0),
      measuredAt: new Date(now).toISOString(),
    }));
    const entry = { at: now, summary };
    last = entry;
    // A failed listing is not kept: the next request tries again.
    summary.catch(() => {
      if (last === entry) last = null;
    });
    return summary;
  };
}
