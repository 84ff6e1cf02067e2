/**
 * Tokens are checked before the upgrade: every bad token gets its HTTP status and JSON code with
 * no socket opened, a good one syncs, and other documents keep working throughout.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { exportJWK, SignJWT } from 'jose';
import { startTestServer, type TestServer } from '../test-support/test-server.js';
import { connectClient, type TestClient } from '../test-support/test-client.js';
import { expectCanaryWorks, expectNotLogged, rawSocket, SECRET, startAuthServer, token, upgradeStatus } from '../test-support/auth-fixtures.js';

const now = (): number => Math.floor(Date.now() / 1000);
const b64 = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');

function signWith(key: KeyObject | Uint8Array, alg: string, claims: Record<string, unknown>, kid?: string): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg, ...(kid ? { kid } : {}) })
    .setSubject('alice')
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(key);
}

describe('tokens on the WebSocket upgrade (HS256 secret)', () => {
  let server: TestServer;
  const clients: TestClient[] = [];
  let canaryToken: string;

  beforeAll(async () => {
    server = await startAuthServer();
    canaryToken = await token({ sub: 'carol', docs: ['canary:write'] });
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.destroy();
    await expectCanaryWorks(server, { token: canaryToken });
  });
  afterAll(() => server.dispose());

  it('syncs with a valid token and never logs it', async () => {
    const good = await token({ docs: ['plan:write'] });
    const a = connectClient(server.wsUrl, 'plan', { params: { token: good } });
    const b = connectClient(server.wsUrl, 'plan', { params: { token: good } });
    clients.push(a, b);
    await Promise.all([a.synced(), b.synced()]);
    a.doc.getText('t').insert(0, 'hello');
    await expect.poll(() => b.doc.getText('t').toString()).toBe('hello');
    expectNotLogged(server, good);
    expectNotLogged(server, good.split('.')[2]!);
  });

  it('accepts the token in an Authorization header from non-browser clients', async () => {
    const good = await token({ docs: ['plan:read'] });
    const { status } = await upgradeStatus(server.wsUrl, '/plan', { headers: { authorization: 'Bearer nonsense' } });
    expect(status).toBe(401);
    // Header-based clients are raw `ws` users; the stock provider only has `params`.
    const raw = rawSocket(server.wsUrl, '/plan', { headers: { authorization: `Bearer ${good}` } });
    await raw.opened;
    raw.ws.close();
  });

  const refusals: Array<[string, () => Promise<string>, number, string]> = [
    ['a missing token', () => Promise.resolve(''), 401, 'missing-token'],
    ['garbage', () => Promise.resolve('not.a.jwt'), 401, 'invalid-token'],
    ['a forged signature', async () => {
      const real = await token({ docs: ['*:write'] });
      const [header, , signature] = real.split('.');
      return `${header}.${b64({ sub: 'mallory', docs: ['*:write'], exp: now() + 3600 })}.${signature}`;
    }, 401, 'invalid-token'],
    ['another secret', () => signWith(new TextEncoder().encode('another-secret-0123456789-abcdefghijklm'), 'HS256', { docs: ['*:write'] }), 401, 'invalid-token'],
    ['alg none', () => Promise.resolve(`${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'mallory', docs: ['*:write'], exp: now() + 3600 })}.`), 401, 'invalid-token'],
    ['HS512 (not allowlisted)', () => signWith(new TextEncoder().encode(SECRET), 'HS512', { docs: ['*:write'] }), 401, 'invalid-token'],
    ['an expired token', () => token({ docs: ['*:write'], iat: now() - 7200, ttlSeconds: 60 }), 401, 'expired-token'],
    ['no exp claim', () => new SignJWT({ docs: ['*:write'] }).setProtectedHeader({ alg: 'HS256' }).setSubject('alice').sign(new TextEncoder().encode(SECRET)), 401, 'invalid-token'],
    ['malformed docs claim', () => signWith(new TextEncoder().encode(SECRET), 'HS256', { docs: ['draft*x:write'] }), 401, 'invalid-token'],
    ['a token for another document', () => token({ docs: ['other:write', 'plan-*:write'] }), 403, 'forbidden'],
    ['a prefix that must not widen', () => token({ docs: ['pla:write', 'p.an*:write'] }), 403, 'forbidden'],
  ];

  for (const [label, make, status, code] of refusals) {
    it(`refuses ${label} with ${status} ${code} before the upgrade`, async () => {
      const bad = await make();
      const result = await upgradeStatus(server.wsUrl, `/plan?token=${encodeURIComponent(bad)}`);
      expect(result.status).toBe(status);
      expect(result.body.error.code).toBe(code);
      if (bad !== '') expectNotLogged(server, bad);
    });
  }
});

describe('tokens with asymmetric keys', () => {
  let dir: string;
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const otherEc = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  let jwks: Server;
  let jwksUrl: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'tandem-keys-'));
    const jwk = { ...(await exportJWK(ec.publicKey)), kid: 'k1', alg: 'ES256', use: 'sig' };
    jwks = createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/.well-known/jwks.json`;
  });
  afterAll(async () => {
    await new Promise((resolve) => jwks.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });

  it('verifies RS256 with a public key file and refuses an HS256 token keyed with the public key', async () => {
    const pem = rsa.publicKey.export({ type: 'spki', format: 'pem' }) as string;
    const keyFile = path.join(dir, 'public.pem');
    await writeFile(keyFile, pem);
    const server = await startTestServer(['--auth-public-key', keyFile, '--auth-algorithms', 'RS256']);
    try {
      const good = await signWith(rsa.privateKey, 'RS256', { docs: ['plan:write'] });
      const client = connectClient(server.wsUrl, 'plan', { params: { token: good } });
      await client.synced();
      client.destroy();
      // The classic confusion attack: HMAC with the public key's text as the secret.
      const confused = await signWith(new TextEncoder().encode(pem), 'HS256', { docs: ['*:write'] });
      expect((await upgradeStatus(server.wsUrl, `/plan?token=${confused}`)).status).toBe(401);
      const ps = await signWith(rsa.privateKey, 'PS256', { docs: ['*:write'] });
      expect((await upgradeStatus(server.wsUrl, `/plan?token=${ps}`)).status).toBe(401);
      await expectCanaryWorks(server, { token: await signWith(rsa.privateKey, 'RS256', { docs: ['canary:write'] }) });
    } finally {
      await server.dispose();
    }
  });

  it('verifies ES256 against a JWKS URL and refuses keys not in the set', async () => {
    const server = await startTestServer(['--auth-jwks-url', jwksUrl]);
    try {
      const good = await signWith(ec.privateKey, 'ES256', { docs: ['plan:write'] }, 'k1');
      const client = connectClient(server.wsUrl, 'plan', { params: { token: good } });
      await client.synced();
      client.destroy();
      const impostor = await signWith(otherEc.privateKey, 'ES256', { docs: ['*:write'] }, 'k1');
      const refused = await upgradeStatus(server.wsUrl, `/plan?token=${impostor}`);
      expect(refused).toMatchObject({ status: 401, body: { error: { code: 'invalid-token' } } });
      const hs = await signWith(new TextEncoder().encode('x'.repeat(40)), 'HS256', { docs: ['*:write'] }, 'k1');
      expect((await upgradeStatus(server.wsUrl, `/plan?token=${hs}`)).status).toBe(401);
      await expectCanaryWorks(server, { token: await signWith(ec.privateKey, 'ES256', { docs: ['canary:write'] }, 'k1') });
    } finally {
      await server.dispose();
    }
  });

  it('answers 503 when the JWKS cannot be fetched, not 401', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/jwks.json`;
    await new Promise((resolve) => closed.close(resolve));
    const server = await startTestServer(['--auth-jwks-url', deadUrl]);
    try {
      const good = await signWith(ec.privateKey, 'ES256', { docs: ['plan:write'] }, 'k1');
      const refused = await upgradeStatus(server.wsUrl, `/plan?token=${good}`);
      expect(refused).toMatchObject({ status: 503, body: { error: { code: 'auth-unavailable' } } });
    } finally {
      await server.dispose();
    }
  });
});
