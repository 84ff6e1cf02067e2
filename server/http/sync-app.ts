/**
 * The HTTP fallback transport's own express app, served beside the main one for paths under
 * `/sync/` (main.ts routes requests by path). It is a sibling of the WebSocket gateway, not a
 * part of the JSON API: binary bodies and a streamed binary response, the token checked by the
 * transport on every request (transport/http-sync/), described in the README rather than the
 * OpenAPI document. It shares the main app's Host check and request logging and metrics, and
 * answers CORS by the WebSocket upgrade's Origin rule (sync-cors.ts).
 */
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import type { TandemMetrics } from '../metrics/metrics.js';
import { createRequireAllowedHost } from './host-check.js';
import { createRequestContext, requestLogger } from './request-context.js';
import { createSyncCors } from './sync-cors.js';

export const SYNC_PATH = '/sync';

export interface SyncAppOptions {
  router: express.Router;
  logger: Logger;
  allowedHosts: readonly string[] | null;
  /** request-identity.ts originAllowlist: the origins whose pages may use /sync. */
  allowedOrigins: readonly string[] | null;
  metrics: TandemMetrics | null;
}

/** True for a request URL the sync app answers. */
export function isSyncRequest(url: string | undefined): boolean {
  return url !== undefined && url.startsWith(`${SYNC_PATH}/`);
}

export function createSyncApp(options: SyncAppOptions): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(createRequestContext(options.logger, options.metrics));
  // Before the Host check and the routes, so their refusals are readable by an allowed page.
  app.use(createSyncCors(options.allowedOrigins));
  app.use(createRequireAllowedHost(options.allowedHosts));
  app.use(SYNC_PATH, options.router);
  app.use((req: Request, res: Response) => {
    res.status(404).json({ error: { code: 'not-found', message: `no route ${req.method} ${req.path}` } });
  });
  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    requestLogger(res, options.logger).error({ err: error, path: req.path }, 'request failed');
    if (res.headersSent) {
      res.end();
      return;
    }
    res.status(500).json({ error: { code: 'internal', message: 'internal server error' } });
  });
  return app;
}
