/**
 * The HTTP side: health, the document API and the built client. Every error is JSON
 * `{ error: { code, message } }` with a 4xx/5xx status; unknown /api routes are 404s, not pages.
 * Every /api route but /api/openapi.json runs behind the token check; `/api/docs` lists only readable documents and
 * anything under `/api/docs/:name` needs access to that document (read for GET, write otherwise).
 * `/healthz` is liveness (200 while the process runs); `/readyz` is readiness (readiness.ts: 200
 * only while started and the store, and in a cluster Redis, answer), for load balancers.
 * Everything but those two first needs a Host name the server answers to (host-check.ts).
 * Every request gets an id, a child logger and a count by route and status (request-context.ts);
 * `GET /metrics` serves the Prometheus metrics behind the admin token (metrics-route.ts), and so
 * is the admin API (admin-routes.ts; admin-overview.ts for the admin page).
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type * as Y from 'yjs';
import type { DocumentStore } from '../persistence/document-store.js';
import { documentAccess, type AccessChecker } from '../auth/upgrade-authorizer.js';
import type { Revocation } from '../auth/revocation-list.js';
import type { PostgresRevocations } from '../auth/postgres-revocations.js';
import { createAdminRouter } from './admin-routes.js';
import { createAdminOverviewRouter, type AdminOverviewSources } from './admin-overview.js';
import { createAuthenticateRequest, createRequireAdmin, createRequireDocAccess, principalOf } from './auth-middleware.js';
import { createDocumentExportRouter } from './document-export.js';
import { createDocumentUpdatesRouter } from './document-updates.js';
import { createDocumentWriteRouter } from './document-write.js';
import { createDocumentDeleteRouter } from './document-delete.js';
import { createDocumentListHandler } from './document-list.js';
import { createDocumentVersionsRouter } from './document-versions.js';
import { createVersionRestoreRouter } from './version-restore.js';
import type { VersionHistory } from '../history/version-history.js';
import type { DocumentLease } from '../room/document-lease.js';
import { createRequireAllowedHost } from './host-check.js';
import { HttpError } from './http-error.js';
import type { ReadinessReport } from './readiness.js';
import { createMetricsHandlers } from './metrics-route.js';
import { createOpenApiHandler } from './openapi/openapi-route.js';
import { createRequestContext, requestLogger } from './request-context.js';
import type { TandemMetrics } from '../metrics/metrics.js';

export { HttpError } from './http-error.js';

export interface HttpAppOptions {
  store: DocumentStore;
  logger: Logger;
  /** Token verification and revocations, shared with the WebSocket gateway. */
  access: AccessChecker;
  /** Built client folder; a placeholder page is served when it is null or missing. */
  clientDir: string | null;
  /** Readiness for /readyz (readiness.ts). */
  readiness: () => Promise<ReadinessReport>;
  /** Host names served besides loopback ones, or null for any (request-identity.ts `hostAllowlist`). */
  allowedHosts: readonly string[] | null;
  /** The live Y.Doc of a loaded document, for exports; without it exports read the store only. */
  peekLoadedDocument?: (name: string) => Y.Doc | null;
  /** Opens a lease on a live document, for edits over HTTP; without it POST …/updates, PUT and …/append are 404. */
  openDocument?: (name: string) => Promise<DocumentLease>;
  /** Live WebSocket connections to a document, for the list; without it 0. */
  liveConnections?: (name: string) => number;
  /** Closes a document's connections, unloads and deletes it; without it DELETE is 404. */
  deleteDocument?: (name: string) => Promise<void>;
  /** Largest body POST …/updates, PUT and POST …/append accept (413 beyond). */
  maxUpdateBytes?: number;
  /** With PostgreSQL: stores a revocation for every process before applying it (admin-routes.ts). */
  recordRevocation?: PostgresRevocations['revoke'];
  /** In a cluster: hands a revocation to the other members (admin-routes.ts). */
  publishRevocation?: (revocation: Revocation) => Promise<void>;
  /** Version history: serves /api/docs/:name/versions… (restore also needs openDocument); without it they are 404. */
  history?: VersionHistory;
  /** Serves `GET /metrics` (metrics-route.ts) and counts requests; without it neither. */
  metrics?: TandemMetrics;
  /** The server binds a loopback address only: in open mode /metrics needs no token then. */
  isLoopbackOnly?: boolean;
  /** Live documents, connections and log lines for the admin overview (admin-overview.ts); without it no overview. */
  admin?: AdminOverviewSources;
}

const DEFAULT_MAX_UPDATE_BYTES = 1024 * 1024;

export function createHttpApp(options: HttpAppOptions): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(createRequestContext(options.logger, options.metrics ?? null));

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.get('/readyz', async (_req, res) => {
    const report = await options.readiness();
    if (report.isReady) {
      res.json({ status: 'ok', checks: report.checks });
      return;
    }
    const failing = Object.entries(report.checks).filter(([, result]) => result !== 'ok');
    const message = failing.map(([name, result]) => `${name}: ${result}`).join('; ');
    res.status(503).json({ error: { code: 'not-ready', message }, checks: report.checks });
  });

  // After the probes: load balancers and load balancers use whatever name they like, and health is no secret.
  app.use(createRequireAllowedHost(options.allowedHosts));

  if (options.metrics) app.get('/metrics', ...createMetricsHandlers(options.access, options.metrics, options.isLoopbackOnly ?? false));

  // The admin API authenticates on its own, from the Authorization header only: it is mounted
  // before the general authentication, which would also read `?token=` and the cookie.
  app.use(
    '/api/admin',
    createAuthenticateRequest(options.access, { headerOnly: true }),
    createRequireAdmin(options.access),
    createAdminRouter({
      revocations: options.access.revocations,
      logger: options.logger,
      ...(options.recordRevocation ? { recordRevocation: options.recordRevocation } : {}),
      ...(options.publishRevocation ? { publishRevocation: options.publishRevocation } : {}),
    }),
    ...(options.admin ? [createAdminOverviewRouter({ ...options.admin, store: options.store, logger: options.logger })] : []),
  );
  app.get('/api/openapi.json', createOpenApiHandler()); // documentation: no token, so before the /api authentication
  app.use('/api', createAuthenticateRequest(options.access));
  // Before any route under /api/docs/:name, so routes added later are covered too.
  app.use('/api/docs/:name', createRequireDocAccess(options.access));

  app.get(
    '/api/docs',
    createDocumentListHandler({
      store: options.store,
      mayRead: (res, name) => documentAccess(options.access, principalOf(res), name) !== null,
      liveConnections: options.liveConnections ?? (() => 0),
    }),
  );

  app.use(
    '/api/docs',
    createDocumentExportRouter({ store: options.store, peekLoadedDocument: options.peekLoadedDocument ?? (() => null) }),
  );

  if (options.openDocument) {
    app.use(
      '/api/docs',
      createDocumentUpdatesRouter({ openDocument: options.openDocument, maxUpdateBytes: options.maxUpdateBytes ?? DEFAULT_MAX_UPDATE_BYTES }),
    );
    app.use('/api/docs', createDocumentWriteRouter({ openDocument: options.openDocument, maxBytes: options.maxUpdateBytes ?? DEFAULT_MAX_UPDATE_BYTES }));
  }

  if (options.deleteDocument) {
    app.use(
      '/api/docs',
      createDocumentDeleteRouter({
        store: options.store,
        peekLoadedDocument: options.peekLoadedDocument ?? (() => null),
        deleteDocument: options.deleteDocument,
      }),
    );
  }

  if (options.history) {
    const { store, history } = options;
    app.use('/api/docs', createDocumentVersionsRouter({ store, history, peekLoadedDocument: options.peekLoadedDocument ?? (() => null) }));
    if (options.openDocument) app.use('/api/docs', createVersionRestoreRouter({ store, history, openDocument: options.openDocument }));
  }

  app.use('/api', (req) => {
    throw new HttpError(404, 'not-found', `no API route ${req.method} ${req.baseUrl}${req.path}`);
  });

  mountClient(app, options.clientDir);

  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const known = toHttpError(error);
    if (known.status >= 500) requestLogger(res, options.logger).error({ err: error, path: req.path }, 'request failed');
    res.status(known.status).json({ error: { code: known.code, message: known.message } });
  });
  return app;
}

function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  // body-parser / express errors carry a status and an `expose` flag for client errors.
  const status = (error as { status?: unknown }).status;
  if (status === 413) return new HttpError(413, 'too-large', (error as Error).message);
  // body-parser: a charset or Content-Encoding it cannot read.
  if (status === 415) return new HttpError(415, 'unsupported-media-type', (error as Error).message);
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new HttpError(status, 'bad-request', (error as Error).message);
  }
  return new HttpError(500, 'internal', 'internal server error');
}

function mountClient(app: express.Express, clientDir: string | null): void {
  const index = clientDir ? path.join(clientDir, 'index.html') : null;
  if (!clientDir || !index || !existsSync(index)) {
    app.get('/', (_req, res) => {
      res.type('html').send(PLACEHOLDER_PAGE);
    });
    return;
  }
  app.use(express.static(clientDir, { index: 'index.html', maxAge: '1h', setHeaders: noCacheForHtml }));
  // Client-side routes (/d/<name>, …) all load the app shell.
  app.get(/^\/(?!api\/|healthz$|readyz$).*/, (_req, res) => {
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
}

function noCacheForHtml(res: Response, filePath: string): void {
  if (filePath.endsWith('.html')) res.setHeader('Cache-Control', 'no-cache');
}

const PLACEHOLDER_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Tandem</title></head>
<body><h1>Tandem</h1><p>The sync server is running. Connect a y-websocket client to <code>ws://&lt;host&gt;/&lt;document&gt;</code>.</p></body></html>`;
