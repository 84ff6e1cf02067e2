/**
 * When a token runs out, read from its `exp` claim without verifying it (the server verifies),
 * and so when the client should fetch the next one: early enough that the new token is in hand
 * before the server closes the connection with 4408.
 */
import { decodeJwt } from 'jose';

/** At most this long before expiry; short-lived tokens refresh at 10 % of their lifetime before. */
export const MAX_REFRESH_LEAD_MS = 30_000;
export const REFRESH_LEAD_FRACTION = 0.1;
/** Never refresh more often than this, whatever the token says (a token already near its end). */
export const MIN_REFRESH_DELAY_MS = 1_000;

export interface TokenTimes {
  /** Milliseconds since the epoch. */
  expiresAt: number;
  /** Milliseconds since the epoch; null without `iat`. */
  issuedAt: number | null;
}

/** `exp` and `iat` in milliseconds; null for a token that is not a JWT or has no `exp`. */
export function readTokenTimes(token: string): TokenTimes | null {
  try {
    const { exp, iat } = decodeJwt(token);
    if (typeof exp !== 'number') return null;
    return { expiresAt: exp * 1000, issuedAt: typeof iat === 'number' ? iat * 1000 : null };
  } catch {
    // Not a JWT (an opaque token): the server's 4408 is then the only signal of expiry.
    return null;
  }
}

/**
 * Milliseconds from `now` until the next token should be fetched; null when the token does not
 * expire (or cannot be read). The lead is 10 % of the token's lifetime, at most 30 s: a 5-second
 * token is refreshed half a second before it ends, an hour-long one 30 s before.
 */
export function refreshDelayMs(token: string, now: number = Date.now()): number | null {
  const times = readTokenTimes(token);
  if (!times) return null;
  const lifetime = times.expiresAt - (times.issuedAt ?? now);
  const lead = Math.min(MAX_REFRESH_LEAD_MS, Math.max(0, lifetime) * REFRESH_LEAD_FRACTION);
  return Math.max(MIN_REFRESH_DELAY_MS, times.expiresAt - lead - now);
}
