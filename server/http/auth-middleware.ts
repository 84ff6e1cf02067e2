/**
 * Express middleware giving the HTTP API the same tokens and permissions as the WebSockets.
 * `authenticateRequest` puts the caller's Principal on `res.locals` (token from `?token=`,
 * `Authorization: Bearer`, or the `tandem_token` cookie for GET/HEAD only, so a cross-site form
 * cannot act with it; with `headerOnly`, from the header alone). `requireDocAccess` guards every
 * route under `/api/docs/:name`: GET and HEAD need read access, other methods write access.
 * `requireAdmin` guards the admin API.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { isValidDocName } from '../../shared/doc-name.js';
import { AuthError } from '../auth/auth-error.js';
import type { Principal } from '../auth/principal.js';
import { bearerToken, tokenFromRequest } from '../auth/request-identity.js';
import { authenticate, documentAccess, type AccessChecker } from '../auth/upgrade-authorizer.js';
import { HttpError } from './http-error.js';

const PRINCIPAL_KEY = 'tandemPrincipal';
const READ_METHODS = new Set(['GET', 'HEAD']);

/**
 * `headerOnly` (the admin API): an admin token in a URL ends up in proxy logs and browser history,
 * and a cookie is sent on cross-site requests, so only `Authorization: Bearer` counts.
 */
export function createAuthenticateRequest(checker: AccessChecker, { headerOnly = false }: { headerOnly?: boolean } = {}): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const token = headerOnly ? bearerToken(req) : tokenFromRequest(req, { allowCookie: READ_METHODS.has(req.method) });
    authenticate(checker, token).then(
      (principal) => {
        res.locals[PRINCIPAL_KEY] = principal;
        next();
      },
      (error: unknown) => next(toHttpError(error)),
    );
  };
}

/** The caller, as set by the authenticate middleware (which must run first). */
export function principalOf(res: Response): Principal {
  const principal = res.locals[PRINCIPAL_KEY] as Principal | undefined;
  if (!principal) throw new Error('authenticate middleware did not run for this route');
  return principal;
}

/** For `/api/docs/:name` and everything under it. */
export function createRequireDocAccess(checker: AccessChecker, param = 'name'): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const name = req.params[param];
    if (typeof name !== 'string' || !isValidDocName(name)) {
      next(new HttpError(400, 'invalid-name', 'document names are 1-128 characters of A-Z a-z 0-9 . _ -'));
      return;
    }
    const principal = principalOf(res);
    // As on the WebSockets: a token revoked for this document is a token problem (401), not a missing grant.
    if (!checker.verifier.isOpen && checker.revocations.isRevoked(principal, name)) {
      next(new HttpError(401, 'revoked-token', 'token has been revoked for this document'));
      return;
    }
    const access = documentAccess(checker, principal, name);
    const needed = READ_METHODS.has(req.method) ? 'read' : 'write';
    if (access === null || (needed === 'write' && access !== 'write')) {
      next(new HttpError(403, 'forbidden', `no ${needed} access to this document`));
      return;
    }
    next();
  };
}

export function createRequireAdmin(checker: AccessChecker): RequestHandler {
  return (_req: Request, res: Response, next: NextFunction) => {
    if (checker.verifier.isOpen) {
      next(new HttpError(409, 'auth-disabled', 'the admin API needs auth to be configured'));
      return;
    }
    if (!principalOf(res).isAdmin) {
      next(new HttpError(403, 'not-admin', 'this token has no admin claim'));
      return;
    }
    next();
  };
}

function toHttpError(error: unknown): unknown {
  return error instanceof AuthError ? new HttpError(error.status, error.code, error.message) : error;
}
