/**
 * The HTTP API takes the same tokens and permissions as the WebSockets: no token is 401,
 * `/api/docs` lists only what the caller may read, and every route under `/api/docs/:name`
 * (including the export route) needs access to that document.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../test-support/test-server.js';
import { connectClient } from '../test-support/test-client.js';
import { waitFor } from '../test-support/wait-for.js';
import { expectNotLogged, startAuthServer, token } from '../test-support/auth-fixtures.js';

describe('HTTP API auth', () => {
  let server: TestServer;
  let reader: string;

  beforeAll(async () => {
    server = await startAuthServer();
    const writer = await token({ sub: 'w', docs: ['*:write'] });
    for (const name of ['team-plan', 'team-notes', 'secret']) {
      const client = connectClient(server.wsUrl, name, { params: { token: writer }, saveAck: true });
      await client.synced();
      client.doc.getText('t').insert(0, `content of ${name}`);
      await waitFor(() => client.savedCount > 0, { message: `${name} saved` });
      client.destroy();
    }
    reader = await token({ sub: 'r', docs: ['team-*:read'] });
  });
  afterAll(() => server.dispose());

  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${server.url}${path}`, { headers });

  it('answers 401 without a token or with a bad one', async () => {
    const missing = await get('/api/docs');
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ error: { code: 'missing-token' } });
    expect((await get('/api/docs', { authorization: 'Bearer x.y.z' })).status).toBe(401);
    expect((await get('/healthz')).status).toBe(200);
  });

  it('lists only readable documents, with the token in a header, the query or a cookie', async () => {
    const ways: Array<Record<string, string>> = [{ authorization: `Bearer ${reader}` }, { cookie: `other=1; tandem_token=${reader}` }];
    for (const headers of ways) {
      const response = await get('/api/docs', headers);
      expect(response.status).toBe(200);
      const { documents } = (await response.json()) as { documents: Array<{ name: string }> };
      expect(documents.map((d) => d.name).sort()).toEqual(['team-notes', 'team-plan']);
    }
    expect((await get(`/api/docs?token=${reader}`)).status).toBe(200);
    expectNotLogged(server, reader);
  });

  it('guards every route under /api/docs/:name, the export included', async () => {
    const auth = { authorization: `Bearer ${reader}` };
    const ok = await get('/api/docs/team-plan?format=text', auth);
    expect(ok.status).toBe(200);
    const denied = await get('/api/docs/secret?format=text', auth);
    expect(denied.status).toBe(403);
    expect(await denied.json()).toMatchObject({ error: { code: 'forbidden' } });
    expect((await get('/api/docs/secret?format=text')).status).toBe(401);
    // Writes under a document need write access, whatever route handles them.
    const write = await fetch(`${server.url}/api/docs/team-plan`, { method: 'PUT', headers: auth });
    expect(write.status).toBe(403);
  });

  it('a token revoked for one document gets 401 revoked-token there, as on the WebSockets, and keeps its other documents', async () => {
    const revoked = await token({ sub: 'revoked-reader', docs: ['team-*:read'] });
    const admin = await token({ sub: 'admin', docs: [], admin: true });
    const revoke = await fetch(`${server.url}/api/admin/revoke`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ sub: 'revoked-reader', doc: 'team-plan' }),
    });
    expect(revoke.status).toBe(200);
    const auth = { authorization: `Bearer ${revoked}` };
    const refused = await get('/api/docs/team-plan?format=text', auth);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ error: { code: 'revoked-token' } });
    const other = await get('/api/docs/team-notes?format=text', auth);
    expect(other.status).toBe(200);
    expect(await other.text()).toBe('');
  });
});
