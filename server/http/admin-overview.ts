/**
 * The admin page's view of this process (mounted behind the admin token, like admin-routes.ts):
 *
 * - `GET /api/admin/overview`: the documents loaded in memory and the documents connections are
 *   waiting for, each with its open WebSocket connections (who: token `sub` and `name`; access;
 *   since when; from which address) and the leases server code holds on it; totals; the store's
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
    const documents = new Map<string, DocumentOverview>();
    for (const { name, leaseCount } of options.loadedDocuments()) {
      documents.set(name, { name, loaded: true, connections: [], leases: leaseCount });
    }
    const connections = options.connections();
    for (const { doc, ...connection } of connections) {
      let entry = documents.get(doc);
      if (!entry) documents.set(doc, (entry = { name: doc, loaded: false, connections: [], leases: 0 }));
      entry.connections.push(connection);
    }
    const listed = [...documents.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const answer: AdminOverview = {
      documents: listed,
      totals: { documents: listed.length, connections: connections.length },
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
