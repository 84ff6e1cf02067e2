/**
 * `GET /metrics` on the main port. With auth it needs an admin token in `Authorization: Bearer`
 * (the admin API's check: never `?token=` nor the cookie). Without auth (open mode) it is open
 * when the server binds loopback only, where whoever reaches it may already read and write every
 * document; open mode on another address (--insecure) refuses it (409, like the admin API): use
 * the --metrics-port listener there.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { AccessChecker } from '../auth/upgrade-authorizer.js';
import type { TandemMetrics } from '../metrics/metrics.js';
import { createAuthenticateRequest, createRequireAdmin } from './auth-middleware.js';

export function createMetricsHandlers(access: AccessChecker, metrics: TandemMetrics, isLoopbackOnly: boolean): RequestHandler[] {
  const serve: RequestHandler = (_req: Request, res: Response, next: NextFunction) => {
    metrics.render().then((text) => {
      res.setHeader('Content-Type', metrics.contentType);
      res.setHeader('Cache-Control', 'no-store');
      res.send(text);
    }, next);
  };
  if (access.verifier.isOpen && isLoopbackOnly) return [serve];
  return [createAuthenticateRequest(access, { headerOnly: true }), createRequireAdmin(access), serve];
}
