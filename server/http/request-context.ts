/**
 * First middleware of the HTTP app: gives each request an id and a pino child logger carrying it,
 * and when the answer is sent, counts it by route and status and logs one line. The id is the
 * caller's `X-Request-Id` when well-formed (a proxy's or a client's, so lines can be matched
 * across systems), else a new UUID; it is echoed in the response's `X-Request-Id`.
 * Routes are labelled by their pattern (`/api/docs/:name`), never the raw path, so the number of
 * label values stays bounded; requests no route matched are `other`.
 */
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import type { TandemMetrics } from '../metrics/metrics.js';

const REQUEST_ID_HEADER = 'x-request-id';
const WELL_FORMED_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const LOGGER_KEY = 'tandemLogger';
/** Probes, scrapes and the admin page's polls come every few seconds: their lines are debug, not info. */
const QUIET_PATHS = new Set(['/healthz', '/readyz', '/metrics']);
const QUIET_ROUTES = new Set(['/api/admin/overview']);

export function createRequestContext(logger: Logger, metrics: TandemMetrics | null): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const incoming = req.headers[REQUEST_ID_HEADER];
    const reqId = typeof incoming === 'string' && WELL_FORMED_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-Id', reqId);
    const log = logger.child({ reqId });
    res.locals[LOGGER_KEY] = log;
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const route = routeOf(req);
      metrics?.httpRequests.labels(route, String(res.statusCode)).inc();
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const level = QUIET_PATHS.has(req.path) || QUIET_ROUTES.has(route) ? 'debug' : 'info';
      log[level]({ method: req.method, path: req.path.slice(0, 256), route, status: res.statusCode, ms: Math.round(ms * 10) / 10 }, 'request completed');
    });
    next();
  };
}

/** The request's child logger (carries `reqId`); the app logger's if the context did not run. */
export function requestLogger(res: Response, fallback: Logger): Logger {
  return (res.locals[LOGGER_KEY] as Logger | undefined) ?? fallback;
}

function routeOf(req: Request): string {
  const pattern = (req.route as { path?: unknown } | undefined)?.path;
  return typeof pattern === 'string' ? req.baseUrl + pattern : 'other';
}
