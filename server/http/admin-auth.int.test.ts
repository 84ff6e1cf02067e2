/**
 * The admin API takes its token from the `Authorization` header only, as the README promises.
 *
 * Regression: the admin router sat behind the same authenticate middleware as the document API,
 * which reads `?token=` first and the `tandem_token` cookie on GET, so an admin token in a URL
 * (logged by proxies, kept in browser history) or in a cookie (sent by the browser on cross-site
 * GETs) listed revocations, and `POST /api/admin/revoke?token=…` revoked tokens.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../test-support/test-server.js';
import { startAuthServer, token } from '../test-support/auth-fixtures.js';

describe('admin API token source', () => {
  let server: TestServer;
  let admin: string;

  beforeAll(async () => {
    server = await startAuthServer();
    admin = await token({ sub: 'root', docs: [], admin: true });
  });
  afterAll(() => server.dispose());

  const call = (method: 'GET' | 'POST', path: string, headers: Record<string, string> = {}): Promise<Response> =>
    fetch(`${server.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...headers },
      ...(method === 'POST' ? { body: JSON.stringify({ sub: 'mallory' }) } : {}),
    });

  it('accepts an admin token in the Authorization header', async () => {
    const response = await call('GET', '/api/admin/revocations', { authorization: `Bearer ${admin}` });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ revocations: [] });
  });

  it('answers 401 JSON to an admin token in ?token= or the tandem_token cookie, and revokes nothing', async () => {
    const attempts: Array<[method: 'GET' | 'POST', path: string, headers: Record<string, string>]> = [
      ['GET', `/api/admin/revocations?token=${admin}`, {}],
      ['GET', '/api/admin/revocations', { cookie: `tandem_token=${admin}` }],
      ['POST', `/api/admin/revoke?token=${admin}`, {}],
      ['POST', '/api/admin/revoke', { cookie: `tandem_token=${admin}` }],
    ];
    const answers: Array<{ status: number; body: unknown }> = [];
    for (const [method, path, headers] of attempts) {
      const response = await call(method, path, headers);
      answers.push({ status: response.status, body: await response.json() });
    }
    const refused = { status: 401, body: { error: { code: 'missing-token', message: 'a token is required' } } };
    expect(answers).toEqual([refused, refused, refused, refused]);
    const listed = await call('GET', '/api/admin/revocations', { authorization: `Bearer ${admin}` });
    expect(await listed.json()).toEqual({ revocations: [] });
  });

  it('still takes ?token= and the cookie (GET) on the document API', async () => {
    const reader = await token({ sub: 'r', docs: ['*:read'] });
    expect((await call('GET', `/api/docs?token=${reader}`)).status).toBe(200);
    expect((await call('GET', '/api/docs', { cookie: `tandem_token=${reader}` })).status).toBe(200);
  });
});
