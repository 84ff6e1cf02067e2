/**
 * Mints Tandem tokens (HS256 with the shared secret), for `tandem token`, the revoke CLI and
 * tests. Production deployments usually mint elsewhere (their login service) with the same claims.
 */
import { SignJWT } from 'jose';
import type { TandemClaims } from '../../shared/token-claims.js';

export interface MintOptions {
  secret: string;
  sub: string;
  name?: string;
  docs: readonly string[];
  /** Lifetime in seconds. */
  ttlSeconds: number;
  admin?: boolean;
  /** Issue time in seconds since the epoch (default now). */
  iat?: number;
  issuer?: string;
  audience?: string;
}

export async function mintToken(options: MintOptions): Promise<string> {
  const iat = options.iat ?? Math.floor(Date.now() / 1000);
  const claims: Omit<TandemClaims, 'sub' | 'exp' | 'iat'> = {
    docs: [...options.docs],
    ...(options.name !== undefined ? { name: options.name } : {}),
    ...(options.admin ? { admin: true } : {}),
  };
  let jwt = new SignJWT({ ...claims })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(options.sub)
    .setIssuedAt(iat)
    .setExpirationTime(iat + options.ttlSeconds);
  if (options.issuer !== undefined) jwt = jwt.setIssuer(options.issuer);
  if (options.audience !== undefined) jwt = jwt.setAudience(options.audience);
  return jwt.sign(new TextEncoder().encode(options.secret));
}

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** `90`, `45s`, `30m`, `1h`, `7d` → seconds; null when malformed. */
export function parseDuration(text: string): number | null {
  const match = /^(\d+)([smhd]?)$/.exec(text.trim());
  if (!match) return null;
  const seconds = Number(match[1]) * UNIT_SECONDS[match[2] || 's']!;
  return Number.isSafeInteger(seconds) && seconds > 0 ? seconds : null;
}
