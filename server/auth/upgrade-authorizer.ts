/**
 * The access decision for one WebSocket upgrade or HTTP document request: verified token →
 * not revoked → access to this document. Refusals are AuthErrors (401 token, 403 no access).
 */
import type { Access } from '../../shared/token-claims.js';
import { AuthError } from './auth-error.js';
import { accessOf, type Principal } from './principal.js';
import type { RevocationList } from './revocation-list.js';
import type { TokenVerifier } from './token-verifier.js';

export interface AccessChecker {
  readonly verifier: TokenVerifier;
  readonly revocations: RevocationList;
}

/** Verifies the token and checks it is not revoked as a whole; rejects with AuthError. */
export async function authenticate(checker: AccessChecker, token: string | null): Promise<Principal> {
  const principal = await checker.verifier.verify(token);
  if (!checker.verifier.isOpen && checker.revocations.isRevoked(principal)) {
    throw new AuthError('revoked-token', 'token has been revoked');
  }
  return principal;
}

/** The access `principal` has on `docName` (revocations included), or null. */
export function documentAccess(checker: AccessChecker, principal: Principal, docName: string): Access | null {
  if (!checker.verifier.isOpen && checker.revocations.isRevoked(principal, docName)) return null;
  return accessOf(principal, docName);
}

/** Resolves with the access granted on `docName`, at least `needed`; rejects with AuthError. */
export async function authorizeDocument(
  checker: AccessChecker,
  token: string | null,
  docName: string,
  needed: Access = 'read',
): Promise<{ principal: Principal; access: Access }> {
  const principal = await authenticate(checker, token);
  if (!checker.verifier.isOpen && checker.revocations.isRevoked(principal, docName)) {
    throw new AuthError('revoked-token', 'token has been revoked for this document');
  }
  const access = accessOf(principal, docName);
  if (access === null || (needed === 'write' && access !== 'write')) {
    throw new AuthError('forbidden', `no ${needed} access to this document`);
  }
  return { principal, access };
}
