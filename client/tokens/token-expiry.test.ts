import { describe, expect, it } from 'vitest';
import { SignJWT } from 'jose';
import { readTokenTimes, refreshDelayMs } from './token-expiry.js';

const key = new TextEncoder().encode('unit-test-secret-0123456789-abcdefghij');

async function jwt(claims: { iat?: number; exp?: number }): Promise<string> {
  let token = new SignJWT({ docs: ['*:write'] }).setProtectedHeader({ alg: 'HS256' }).setSubject('ada');
  if (claims.iat !== undefined) token = token.setIssuedAt(claims.iat);
  if (claims.exp !== undefined) token = token.setExpirationTime(claims.exp);
  return token.sign(key);
}

describe('token refresh timing', () => {
  const now = 1_800_000_000_000;
  const seconds = now / 1000;

  it('refreshes an hour-long token 30 s before it expires', async () => {
    const token = await jwt({ iat: seconds, exp: seconds + 3600 });
    expect(refreshDelayMs(token, now)).toBe(3600_000 - 30_000);
  });

  it('refreshes a short token 10 % of its lifetime before it expires', async () => {
    const token = await jwt({ iat: seconds, exp: seconds + 20 });
    expect(refreshDelayMs(token, now)).toBe(18_000);
  });

  it('measures the lifetime from now when the token has no iat', async () => {
    const token = await jwt({ exp: seconds + 10 });
    expect(refreshDelayMs(token, now)).toBe(9_000);
  });

  it('waits at least a second, even for a token at or past its end', async () => {
    const token = await jwt({ iat: seconds - 100, exp: seconds - 1 });
    expect(refreshDelayMs(token, now)).toBe(1_000);
  });

  it('does not schedule a refresh for a token without exp, or one that is not a JWT', async () => {
    expect(refreshDelayMs(await jwt({ iat: seconds }), now)).toBeNull();
    expect(refreshDelayMs('opaque-session-token', now)).toBeNull();
    expect(readTokenTimes('a.b.c')).toBeNull();
  });
});
