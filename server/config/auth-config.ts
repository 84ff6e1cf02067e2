/**
 * How tokens are verified: one key source at most (a shared secret from the environment only, a
 * public key file, or a JWKS URL), the algorithms that key may sign with, and the claims required.
 * No key source means open mode. Checked here so a weak secret or an algorithm that does not fit
 * the key fails at start-up, not on the first connection.
 */
import path from 'node:path';
import { ConfigError } from './config-error.js';
import { readList, readOptional, type ReadOption } from './read-serve-options.js';

/** How tokens are verified; `mode: 'open'` means no auth at all (local development). */
export type AuthConfig = Readonly<{
  mode: 'open' | 'jwt';
  /** HS256/384/512 shared secret (TANDEM_AUTH_SECRET, environment only). */
  secret: string | null;
  /** PEM public key (SPKI) or X.509 certificate file. */
  publicKeyFile: string | null;
  jwksUrl: string | null;
  /** Accepted `alg` header values; never `none`. */
  algorithms: readonly string[];
  issuer: string | null;
  audience: string | null;
  /** Revocations survive restarts when this file is set. */
  revocationsFile: string | null;
}>;

const HMAC_ALGORITHMS = ['HS256', 'HS384', 'HS512'];
const ASYMMETRIC_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];
const MIN_SECRET_LENGTH = 32;

export function parseAuthConfig(read: ReadOption): AuthConfig {
  const secret = readOptional(read, 'auth-secret');
  const publicKeyFile = readOptional(read, 'auth-public-key');
  const jwksUrl = readOptional(read, 'auth-jwks-url');
  const sources = [secret && 'TANDEM_AUTH_SECRET', publicKeyFile && 'TANDEM_AUTH_PUBLIC_KEY_FILE', jwksUrl && 'TANDEM_AUTH_JWKS_URL'].filter(Boolean);
  if (sources.length > 1) throw new ConfigError(`set only one of ${sources.join(', ')}`);
  if (secret !== null && secret.length < MIN_SECRET_LENGTH) {
    throw new ConfigError(`invalid TANDEM_AUTH_SECRET: at least ${MIN_SECRET_LENGTH} characters are needed for HS256`);
  }
  if (jwksUrl !== null && !/^https?:\/\/[^\s]+$/.test(jwksUrl)) {
    throw new ConfigError(`invalid TANDEM_AUTH_JWKS_URL / --auth-jwks-url: ${JSON.stringify(jwksUrl)} is not an http(s) URL`);
  }
  const allowed = secret !== null ? HMAC_ALGORITHMS : ASYMMETRIC_ALGORITHMS;
  const algorithms = readList(read, 'auth-algorithms') ?? (secret !== null ? ['HS256'] : ['RS256', 'ES256', 'EdDSA']);
  for (const alg of algorithms) {
    if (!allowed.includes(alg)) {
      throw new ConfigError(
        `invalid TANDEM_AUTH_ALGORITHMS / --auth-algorithms: ${JSON.stringify(alg)} is not one of ${allowed.join(', ')} for this kind of key`,
      );
    }
  }
  const resolve = (file: string | null): string | null => (file === null ? null : path.resolve(file));
  return Object.freeze({
    mode: sources.length === 0 ? 'open' : 'jwt',
    secret,
    publicKeyFile: resolve(publicKeyFile),
    jwksUrl,
    algorithms: Object.freeze(algorithms),
    issuer: readOptional(read, 'auth-issuer'),
    audience: readOptional(read, 'auth-audience'),
    revocationsFile: resolve(readOptional(read, 'revocations-file')),
  });
}
