/** Who is on the other end of a connection or request, from a verified token (or open mode). */
import { accessForDocument, type Access } from '../../shared/token-claims.js';

export interface Principal {
  readonly sub: string;
  readonly name: string | null;
  readonly docs: readonly string[];
  /** Expiry in seconds since the epoch; null when it never expires (open mode only). */
  readonly exp: number | null;
  /** Issue time in seconds since the epoch; null when the token has none (revocations then always apply). */
  readonly iat: number | null;
  readonly isAdmin: boolean;
}

/** Open mode (no auth configured): everyone may write everything, nobody is an admin. */
export const OPEN_PRINCIPAL: Principal = Object.freeze({
  sub: 'anonymous',
  name: null,
  docs: Object.freeze(['*:write']),
  exp: null,
  iat: null,
  isAdmin: false,
});

export function accessOf(principal: Principal, docName: string): Access | null {
  return accessForDocument(principal.docs, docName);
}
