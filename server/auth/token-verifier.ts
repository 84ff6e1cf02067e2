/**
 * Token string → Principal, or an AuthError. Verifies the JWT signature with `jose` against the
 * configured key (shared secret, public key file or remote JWKS), only for the allowlisted
 * algorithms (so `alg: none` or an HS256 token against an RSA key never verifies), requires
 * `sub` and `exp`, and checks the Tandem claim shape. Open mode answers OPEN_PRINCIPAL.
 */
import { readFile } from 'node:fs/promises';
import { createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { createRemoteJWKSet, errors, jwtVerify, type JWTVerifyGetKey, type JWTVerifyOptions } from 'jose';
import { parseTandemClaims } from '../../shared/token-claims.js';
import type { AuthConfig } from '../config.js';
import { AuthError } from './auth-error.js';
import { OPEN_PRINCIPAL, type Principal } from './principal.js';

export interface TokenVerifier {
  readonly isOpen: boolean;
  /** Resolves the principal; rejects with AuthError (401 missing/invalid/expired, 503 JWKS down). */
  verify(token: string | null): Promise<Principal>;
}

const JWKS_TIMEOUT_MS = 5_000;
/** Longer tokens are refused unread: the upgrade request must stay cheap. */
const MAX_TOKEN_LENGTH = 8_192;

export async function createTokenVerifier(auth: AuthConfig): Promise<TokenVerifier> {
  if (auth.mode === 'open') {
    return { isOpen: true, verify: () => Promise.resolve(OPEN_PRINCIPAL) };
  }
  const key = await loadKey(auth);
  const options: JWTVerifyOptions = {
    algorithms: [...auth.algorithms],
    requiredClaims: ['sub', 'exp'],
    ...(auth.issuer !== null ? { issuer: auth.issuer } : {}),
    ...(auth.audience !== null ? { audience: auth.audience } : {}),
  };
  return {
    isOpen: false,
    async verify(token) {
      if (token === null || token === '') throw new AuthError('missing-token', 'a token is required');
      if (token.length > MAX_TOKEN_LENGTH) throw new AuthError('invalid-token', 'token too long');
      let payload: Record<string, unknown>;
      try {
        ({ payload } = typeof key === 'function' ? await jwtVerify(token, key, options) : await jwtVerify(token, key, options));
      } catch (error) {
        throw toAuthError(error);
      }
      const claims = parseTandemClaims(payload);
      if (!claims) throw new AuthError('invalid-token', 'token claims are malformed (sub, name, docs, admin)');
      return Object.freeze({
        sub: claims.sub,
        name: claims.name ?? null,
        docs: Object.freeze([...claims.docs]),
        exp: claims.exp ?? null,
        iat: claims.iat ?? null,
        isAdmin: claims.admin === true,
      });
    },
  };
}

async function loadKey(auth: AuthConfig): Promise<Uint8Array | KeyObject | JWTVerifyGetKey> {
  if (auth.secret !== null) return new TextEncoder().encode(auth.secret);
  if (auth.jwksUrl !== null) return createRemoteJWKSet(new URL(auth.jwksUrl), { timeoutDuration: JWKS_TIMEOUT_MS });
  const pem = await readFile(auth.publicKeyFile!, 'utf8');
  return pem.includes('BEGIN CERTIFICATE') ? new X509Certificate(pem).publicKey : createPublicKey(pem);
}

function toAuthError(error: unknown): AuthError {
  if (error instanceof errors.JWTExpired) return new AuthError('expired-token', 'token expired', { cause: error });
  if (error instanceof errors.JWKSTimeout) return new AuthError('auth-unavailable', 'key set did not answer in time', { cause: error });
  if (error instanceof errors.JOSEError) {
    // Fetch and key-set errors mean we could not check the token, not that it is bad.
    if (error.code === 'ERR_JWKS_INVALID' || error.code === 'ERR_JOSE_GENERIC') return new AuthError('auth-unavailable', 'key set is unusable', { cause: error });
    return new AuthError('invalid-token', 'token is invalid', { cause: error });
  }
  // Not a JOSE error: the JWKS fetch itself failed (network, HTTP status).
  return new AuthError('auth-unavailable', 'could not fetch the key set', { cause: error });
}
