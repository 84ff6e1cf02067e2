/**
 * The admin API. `POST /api/admin/revoke` with `{ "sub": "alice" }`, `{ "doc": "plan" }` or both
 * revokes every token of that subject (for that document) issued before now: matching
 * connections are closed at once with 4409 and the tokens are refused from then on. Callers need
 * a token with `"admin": true`, sent as `Authorization: Bearer` (never `?token=` nor a cookie: the
 * app mounts this router behind header-only authentication).
 *
 * In a cluster the revocation is also handed to every other member (`publishRevocation`), which
 * closes its matching connections too. If the broker does not take it, the answer is 503
 * `revocation-not-propagated`: it holds on this member only, and repeating the request is safe.
 */
import express, { type Router } from 'express';
import type { Logger } from 'pino';
import { isValidDocName } from '../../shared/doc-name.js';
import type { Revocation, RevocationList } from '../auth/revocation-list.js';
import { HttpError } from './http-error.js';
import { principalOf } from './auth-middleware.js';

const MAX_SUBJECT_LENGTH = 256;

export interface AdminRouterOptions {
  revocations: RevocationList;
  logger: Logger;
  /** In a cluster: tells the other members; rejects when the broker did not take it. */
  publishRevocation?: (revocation: Revocation) => Promise<void>;
}

export function createAdminRouter(options: AdminRouterOptions): Router {
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
    const { revocation, closed } = await options.revocations.revoke({
      ...(sub !== undefined ? { sub } : {}),
      ...(doc !== undefined ? { doc } : {}),
    });
    options.logger.info({ by: principalOf(res).sub, sub, doc, closed }, 'tokens revoked');
    if (options.publishRevocation) {
      try {
        await options.publishRevocation(revocation);
      } catch (error) {
        options.logger.error({ err: error, sub, doc }, 'revocation not handed to the other cluster members');
        throw new HttpError(
          503,
          'revocation-not-propagated',
          `revoked on this member (${closed} connections closed) but not handed to the other cluster members; repeat the request`,
        );
      }
    }
    res.json({ revoked: { ...revocation, before: new Date(revocation.before).toISOString() }, closedConnections: closed });
  });
  router.get('/revocations', (_req, res) => {
    res.json({
      revocations: options.revocations.entries.map((entry) => ({ ...entry, before: new Date(entry.before).toISOString() })),
    });
  });
  return router;
}
