/**
 * CORS for the HTTP fallback transport (`/sync/*`), so an editor embedded in a page of another
 * origin can use it: a browser's WebSocket needs no CORS, its `fetch` does. The rule is the
 * WebSocket upgrade's (request-identity.ts isOriginAllowed): requests without an Origin and from
 * this server's own host always; others when listed, or any origin where the allowlist is null
 * (auth on and no --allowed-origins: tokens, never cookies, authenticate these requests).
 *
 * An allowed origin gets `Access-Control-Allow-Origin: <origin>` on every answer, refusals
 * included (the client reads their JSON for the close code), and preflights (OPTIONS) are
 * answered 204 for the methods and headers the transport sends: `Authorization` (the token) and
 * `Content-Type: application/octet-stream`. A refused origin gets 403 `origin-not-allowed`,
 * preflight or not. No credentials: cookies are not accepted on /sync.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { isOriginAllowed } from '../auth/request-identity.js';

const ALLOWED_METHODS = 'GET, POST, DELETE';
const ALLOWED_HEADERS = 'Authorization, Content-Type, Tandem-Seq, Tandem-Ack';
/** Browsers cap this (Chromium at 2 h); 10 min spares a preflight per POST in a session. */
const PREFLIGHT_MAX_AGE_S = 600;

export function createSyncCors(allowedOrigins: readonly string[] | null): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const origin = req.headers.origin;
    res.vary('Origin');
    if (origin === undefined) return next();
    if (!isOriginAllowed(req, allowedOrigins)) {
      res.status(403).json({ error: { code: 'origin-not-allowed', message: 'this origin may not use the sync transport here' } });
      return;
    }
    res.setHeader('Access-Control-Allow-Origin', origin);
    if (req.method !== 'OPTIONS') return next();
    res.setHeader('Access-Control-Allow-Methods', ALLOWED_METHODS);
    res.setHeader('Access-Control-Allow-Headers', ALLOWED_HEADERS);
    res.setHeader('Access-Control-Max-Age', String(PREFLIGHT_MAX_AGE_S));
    res.status(204).end();
  };
}
