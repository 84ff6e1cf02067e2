/**
 * CORS on /sync (the HTTP fallback) follows the WebSocket upgrade's Origin rule: a listed origin
 * (and the server's own) gets its preflight answered for the headers the client transport sends
 * and `Access-Control-Allow-Origin` on every answer, refusals included; any other origin gets
 * 403 `origin-not-allowed` and no CORS header, so its page can neither send nor read.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../test-support/test-server.js';
import { startTestServer } from '../test-support/test-server.js';
import { startAuthServer, token } from '../test-support/auth-fixtures.js';

const APP = 'https://app.example.com';
const EVIL = 'https://evil.example.net';

function preflight(server: TestServer, origin: string, path = '/sync/plan/sessions'): Promise<Response> {
  return fetch(`${server.url}${path}`, {
    method: 'OPTIONS',
    headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization,content-type' },
  });
}

describe('CORS on the HTTP fallback transport', () => {
  let server: TestServer;
  let writeToken: string;

  beforeAll(async () => {
    server = await startAuthServer(['--allowed-origins', APP]);
    writeToken = await token({ sub: 'cora', docs: ['*:write'] });
  });
  afterAll(() => server.dispose());

  it('answers a listed origin’s preflight for Authorization and Content-Type, and its requests with Access-Control-Allow-Origin', async () => {
    const pre = await preflight(server, APP);
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe(APP);
    expect(pre.headers.get('access-control-allow-methods')).toMatch(/POST/);
    expect(pre.headers.get('access-control-allow-methods')).toMatch(/DELETE/);
    expect(pre.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
    expect(pre.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('content-type');
    expect(pre.headers.get('vary')).toMatch(/Origin/);
    expect(pre.headers.get('access-control-max-age')).toBe('600');

    const opened = await fetch(`${server.url}/sync/plan/sessions`, { method: 'POST', headers: { Origin: APP, Authorization: `Bearer ${writeToken}` } });
    expect(opened.status).toBe(201);
    expect(opened.headers.get('access-control-allow-origin')).toBe(APP);
    const { sessionId } = (await opened.json()) as { sessionId: string };
    const left = await fetch(`${server.url}/sync/plan/sessions/${sessionId}`, { method: 'DELETE', headers: { Origin: APP, Authorization: `Bearer ${writeToken}` } });
    expect(left.ok).toBe(true);
    expect(left.headers.get('access-control-allow-origin')).toBe(APP);
  });

  it('lets a listed origin read a refusal (401 without a token), so the client learns its close code', async () => {
    const refused = await fetch(`${server.url}/sync/plan/sessions`, { method: 'POST', headers: { Origin: APP } });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('access-control-allow-origin')).toBe(APP);
  });

  it('refuses another origin’s preflight and requests with 403 origin-not-allowed and no CORS header', async () => {
    const pre = await preflight(server, EVIL);
    expect(pre.status).toBe(403);
    expect(pre.headers.get('access-control-allow-origin')).toBeNull();
    expect(await pre.json()).toMatchObject({ error: { code: 'origin-not-allowed' } });
    const opened = await fetch(`${server.url}/sync/plan/sessions`, { method: 'POST', headers: { Origin: EVIL, Authorization: `Bearer ${writeToken}` } });
    expect(opened.status).toBe(403);
    expect(opened.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('serves the server’s own origin and clients that send no Origin', async () => {
    const own = await fetch(`${server.url}/sync/plan/sessions`, { method: 'POST', headers: { Origin: server.url, Authorization: `Bearer ${writeToken}` } });
    expect(own.status).toBe(201);
    const bare = await fetch(`${server.url}/sync/plan/sessions`, { method: 'POST', headers: { Authorization: `Bearer ${writeToken}` } });
    expect(bare.status).toBe(201);
    expect(bare.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('CORS on the HTTP fallback transport without auth', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.dispose());

  it('refuses foreign origins, as the WebSocket upgrade does in open mode', async () => {
    expect((await preflight(server, 'http://127.0.0.1:5173')).status).toBe(403);
    const own = await preflight(server, server.url);
    expect(own.status).toBe(204);
    expect(own.headers.get('access-control-allow-origin')).toBe(server.url);
  });
});

describe('CORS on the HTTP fallback transport with auth and no --allowed-origins', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startAuthServer();
  });
  afterAll(() => server.dispose());

  it('serves any origin, as the WebSocket upgrade does (tokens, not cookies, authenticate)', async () => {
    const pre = await preflight(server, EVIL);
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe(EVIL);
  });
});
