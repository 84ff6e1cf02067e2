/**
 * The admin page's view of this process (mounted behind the admin token, like admin-routes.ts):
 *
 * - `GET /api/admin/overview`: the documents loaded in memory and the documents connections are
 *   waiting for, each with its open WebSocket connections (who: token `sub` and `name`; access;
 *   since when; from which address) and the leases server code holds on it, busiest first and
 *   capped (OVERVIEW_LIMITS: the page polls every few seconds); totals over all; the store's
 *   document count and bytes (store-summary.ts: re-listed at most every 10 s); and the last
 *   warnings and errors logged (ops/recent-errors.ts), newest first.
 * - `POST /api/admin/connections/:id/close`: closes connection `id` (`c1`, `c2` …, the `connId` of
 *   log lines) with 4205, a reset: y-websocket reconnects, and gets back in if its token still
 *   allows it. 204, or 404 `not-found` when this process has no such connection.
 *
 * In a cluster each member answers for itself: its own connections, documents and log lines.
 */
import express, { type Router } from 'express';
import type { Logger } from 'pino';
import type { DocumentStore } from '../persistence/document-store.js';
import type { AdminOverview, ConnectionSummary, DocumentOverview, RecentError } from '../../shared/admin-overview.js';
import { createStoreSummary } from '../ops/store-summary.js';
import { HttpError } from './http-error.js';
import { principalOf } from './auth-middleware.js';
import { requestLogger } from './request-context.js';

/** What the overview reads and the close acts on, wired by the server (main.ts). */
export interface AdminOverviewSources {
  /** Documents loaded in memory, with the leases held on each. */
  loadedDocuments: () => Iterable<{ name: string; leaseCount: number }>;
  /** Open WebSocket connections, each with its document. */
  connections: () => Array<ConnectionSummary & { doc: string }>;
  /** Closes connection `id` (admin `by` is logged); false when there is none. */
  closeConnection: (id: string, by: string) => boolean;
  /** Recent warn/error log lines, newest first; none when the logger does not keep them. */
  recentErrors?: () => RecentError[];
}

export interface AdminOverviewOptions extends AdminOverviewSources {
  store: Pick<DocumentStore, 'list'>;
  logger: Logger;
}

export function createAdminOverviewRouter(options: AdminOverviewOptions): Router {
  const storeSummary = createStoreSummary(options.store);
  const router = express.Router();

  router.get('/overview', async (_req, res) => {
    const connections = options.connections();
    const { documents, total } = listDocuments(options.loadedDocuments(), connections);
    const answer: AdminOverview = {
      documents,
      totals: { documents: total, connections: connections.length },
      store: null,
      recentErrors: options.recentErrors?.() ?? [],
    };
    try {
      answer.store = await storeSummary();
    } catch (error) {
      // The live part is still worth showing while the store is unreachable.
      requestLogger(res, options.logger).warn({ err: error }, 'admin overview: the store did not list its documents');
      answer.storeError = error instanceof Error ? error.message : String(error);
    }
    res.setHeader('Cache-Control', 'no-store');
    res.json(answer);
  });

  router.post('/connections/:id/close', (req, res) => {
    const id = req.params.id;
    if (!options.closeConnection(id, principalOf(res).sub)) {
      throw new HttpError(404, 'not-found', `no open connection ${id.slice(0, 64)} on this server`);
    }
    res.status(204).end();
  });

  return router;
}

/** The most documents an overview lists, and connections per document: one page stays readable and small. */
export const OVERVIEW_LIMITS = { documents: 200, connectionsPerDocument: 100 } as const;

/**
 * Groups connections under their documents (loaded ones, and those still loading for a
 * connection), busiest first, then by name; keeps the first `limits.documents` documents and the
 * first `limits.connectionsPerDocument` connections of each (oldest first). `total` counts all.
 */
export function listDocuments(
  loaded: Iterable<{ name: string; leaseCount: number }>,
  connections: Iterable<ConnectionSummary & { doc: string }>,
  limits: { documents: number; connectionsPerDocument: number } = OVERVIEW_LIMITS,
): { documents: DocumentOverview[]; total: number } {
  const byName = new Map<string, DocumentOverview>();
  for (const { name, leaseCount } of loaded) byName.set(name, { name, loaded: true, connectionCount: 0, connections: [], leases: leaseCount });
  for (const { doc, ...connection } of connections) {
    let entry = byName.get(doc);
    if (!entry) byName.set(doc, (entry = { name: doc, loaded: false, connectionCount: 0, connections: [], leases: 0 }));
    entry.connectionCount++;
    if (entry.connections.length < limits.connectionsPerDocument) entry.connections.push(connection);
  }
  const sorted = [...byName.values()].sort(
    (a, b) => b.connectionCount - a.connectionCount || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
  return { documents: sorted.slice(0, limits.documents), total: sorted.length };
}
