/**
 * The admin API. `POST /api/admin/revoke` with `{ "sub": "alice" }`, `{ "doc": "plan" }` or both
 * revokes every token of that subject (for that document) issued before now: matching
 * connections are closed at once with 4409 and the tokens are refused from then on. Callers need
 * a token with `"admin": true`, sent as `Authorization: Bearer` (never `?token=` nor a cookie: the
 * app mounts this router behind header-only authentication).
 *
 * With PostgreSQL (`recordRevocation`, auth/postgres-revocations.ts) the revocation is stored
 * there before anything else: the answer comes only once it is stored, and every process on the
 * schema applies it within its poll interval. PostgreSQL unreachable: 503 `revocation-not-stored`
 * and nothing changed.
 *
 * In a cluster the revocation is then handed to every other member over pub/sub
 * (`publishRevocation`) so they close matching connections at once. If the broker does not take
 * it: stored in PostgreSQL, the members' polls still bring it (logged, answered 200); without
 * PostgreSQL (tests), the answer is 503 `revocation-not-propagated`: it holds on this member
 * only, and repeating the request is safe.
 */
import express, { type Router } from 'express';
import type { Logger } from 'pino';
import { isValidDocName } from '../../shared/doc-name.js';
import type { Revocation, RevocationList, RevocationScope } from '../auth/revocation-list.js';
import { RevocationNotStoredError, type RevocationResult } from '../auth/postgres-revocations.js';
import { HttpError } from './http-error.js';
import { principalOf } from './auth-middleware.js';
import { requestLogger } from './request-context.js';

const MAX_SUBJECT_LENGTH = 256;

export interface AdminRouterOptions {
  revocations: RevocationList;
  logger: Logger;
  /** With PostgreSQL: stores it for every process, then applies it here; rejects with RevocationNotStoredError. */
  recordRevocation?: (scope: RevocationScope, now?: number) => Promise<RevocationResult>;
  /** In a cluster: tells the other members; rejects when the broker did not take it. */
  publishRevocation?: (revocation: Revocation) => Promise<void>;
}

export function createAdminRouter(options: AdminRouterOptions): Router {
  const record = async (scope: RevocationScope, log: Logger): Promise<RevocationResult> => {
    if (!options.recordRevocation) return options.revocations.revoke(scope);
    try {
      return await options.recordRevocation(scope);
    } catch (error) {
      if (!(error instanceof RevocationNotStoredError)) throw error;
      log.error({ err: error, sub: scope.sub, doc: scope.doc }, 'revocation not stored in PostgreSQL; nothing revoked');
      throw new HttpError(503, 'revocation-not-stored', 'PostgreSQL did not store the revocation, so nothing was revoked; repeat the request');
    }
  };
  const router = express.Router();
  router.use(express.json({ limit: '16kb' }));
  router.post('/revoke', async (req, res) => {
    const body = (req.body ?? {}) as { sub?: unknown; doc?: unknown };
    const sub = body.sub;
    const doc = body.doc;
    if (sub !== undefined && (typeof sub !== 'string' || sub === '' || sub.length > MAX_SUBJECT_LENGTH)) {
      throw new HttpError(400, 'bad-request', '`sub` must be a non-empty string');
    }
    if (doc !== undefined && (typeof doc !== 'string' || !isValidDocName(doc))) {
      throw new HttpError(400, 'bad-request', '`doc` must be a valid document name');
    }
    if (sub === undefined && doc === undefined) throw new HttpError(400, 'bad-request', 'give `sub`, `doc` or both');
    const scope: RevocationScope = { ...(sub !== undefined ? { sub } : {}), ...(doc !== undefined ? { doc } : {}) };
    const log = requestLogger(res, options.logger);
    const { revocation, closed } = await record(scope, log);
    log.info({ by: principalOf(res).sub, sub, doc, closed }, 'tokens revoked');
    if (options.publishRevocation) {
      try {
        await options.publishRevocation(revocation);
      } catch (error) {
        if (options.recordRevocation) {
          log.warn({ err: error, sub, doc }, 'revocation not published to the other cluster members; they read it from PostgreSQL at their next poll');
          res.json(answer(revocation, closed));
          return;
        }
        log.error({ err: error, sub, doc }, 'revocation not handed to the other cluster members');
        throw new HttpError(
          503,
          'revocation-not-propagated',
          `revoked on this member (${closed} connections closed) but not handed to the other cluster members; repeat the request`,
        );
      }
    }
    res.json(answer(revocation, closed));
  });
  router.get('/revocations', (_req, res) => {
    res.json({
      revocations: options.revocations.entries.map((entry) => ({ ...entry, before: new Date(entry.before).toISOString() })),
    });
  });
  return router;
}

function answer(revocation: Revocation, closed: number): { revoked: object; closedConnections: number } {
  return { revoked: { ...revocation, before: new Date(revocation.before).toISOString() }, closedConnections: closed };
}
