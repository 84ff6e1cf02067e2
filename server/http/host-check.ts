/**
 * Refuses HTTP requests addressed to a Host name this server does not answer to (403
 * `host-not-allowed`), so that a web page whose DNS name was rebound to this machine cannot read
 * the API as same-origin. The list comes from request-identity.ts `hostAllowlist`.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { isHostAllowed } from '../auth/request-identity.js';
import { HttpError } from './http-error.js';

export function createRequireAllowedHost(allowedHosts: readonly string[] | null): RequestHandler {
  return (req: Request, _res: Response, next: NextFunction) => {
    if (isHostAllowed(req, allowedHosts)) next();
    else next(new HttpError(403, 'host-not-allowed', 'this server does not answer to that host name'));
  };
}
