/**
 * A session ends when its token does: expiry closes with 4408, revocation (admin API or CLI)
 * closes the affected connections at once with 4409 and refuses those tokens afterwards, while
 * everyone else keeps editing.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { jwtVerify } from 'jose';
import { CloseCode } from '../../shared/protocol.js';
import type { TestServer } from '../test-support/test-server.js';
import { connectClient, type TestClient } from '../test-support/test-client.js';
import { waitFor } from '../test-support/wait-for.js';
import { expectCanaryWorks, rawSocket, SECRET, startAuthServer, token, upgradeStatus } from '../test-support/auth-fixtures.js';
import { runRevokeCommand } from './auth-commands.js';

const nowSeconds = (): number => Math.floor(Date.now() / 1000);
/** An `iat` strictly after every revocation made so far (revocations refuse their own second). */
const afterNow = (): number => nowSeconds() + 1;

describe('token expiry and revocation mid-session', () => {
  let server: TestServer;
  let dataDir: string;
  const clients: TestClient[] = [];
  let canaryToken: string;
  let adminToken: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'tandem-revocations-'));
    server = await startAuthServer(['--revocations-file', path.join(dataDir, 'revocations.json')]);
    canaryToken = await token({ sub: 'carol', docs: ['canary:write'] });
    adminToken = await token({ sub: 'root', docs: [], admin: true });
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.destroy();
    await expectCanaryWorks(server, { token: canaryToken });
  });
  afterAll(async () => {
    await server.dispose();
    await rm(dataDir, { recursive: true, force: true });
  });

  const open = (doc: string, tokenValue: string): TestClient & { closes: number[] } => {
    const client = connectClient(server.wsUrl, doc, { params: { token: tokenValue } });
    clients.push(client);
    const closes: number[] = [];
    client.provider.on('connection-close', (event: CloseEvent | null) => closes.push(event?.code ?? 0));
    return Object.assign(client, { closes });
  };

  const revoke = (body: object, bearer: string | null = adminToken): Promise<Response> =>
    fetch(`${server.url}/api/admin/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
      body: JSON.stringify(body),
    });

  it('closes a connection with 4408 when its token expires, and keeps the others', async () => {
    const shortLived = await token({ sub: 'eve', docs: ['plan:write'], ttlSeconds: 2 });
    const longLived = await token({ sub: 'bob', docs: ['plan:write'] });
    const eve = open('plan', shortLived);
    const bob = open('plan', longLived);
    await Promise.all([eve.synced(), bob.synced()]);
    eve.doc.getText('t').insert(0, 'before expiry;');
    await waitFor(() => bob.doc.getText('t').toString() === 'before expiry;', { message: 'edit relayed' });
    await waitFor(() => eve.closes.includes(CloseCode.tokenExpired), { timeoutMs: 5_000, message: 'closed with 4408' });
    eve.provider.disconnect();
    expect(server.logs.some((l) => l.code === CloseCode.tokenExpired && l.msg.includes('expired'))).toBe(true);
    // Reconnecting with the same token is now refused before the upgrade.
    expect((await upgradeStatus(server.wsUrl, `/plan?token=${shortLived}`)).body.error.code).toBe('expired-token');
    const other = open('plan', longLived);
    await other.synced();
    other.doc.getText('t').insert(0, 'after;');
    await waitFor(() => bob.doc.getText('t').toString() === 'after;before expiry;', { message: 'others keep editing' });
  });

  it('needs an admin token for the admin API', async () => {
    expect((await revoke({ sub: 'x' }, null)).status).toBe(401);
    expect((await revoke({ sub: 'x' }, await token({ sub: 'alice', docs: ['*:write'] }))).status).toBe(403);
    // Cookies are not accepted for state-changing requests.
    const viaCookie = await fetch(`${server.url}/api/admin/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: `tandem_token=${adminToken}` },
      body: JSON.stringify({ sub: 'x' }),
    });
    expect(viaCookie.status).toBe(401);
    expect((await revoke({})).status).toBe(400);
    expect((await revoke({ doc: '../etc' })).status).toBe(400);
  });

  it('closes a revoked subject at once (4409), refuses its old tokens, accepts newer ones', async () => {
    const aliceOld = await token({ sub: 'alice', docs: ['plan:write', 'notes:write'] });
    const bobToken = await token({ sub: 'bob', docs: ['plan:write'] });
    const alice = open('plan', aliceOld);
    const aliceNotes = open('notes', aliceOld);
    const bob = open('plan', bobToken);
    await Promise.all([alice.synced(), aliceNotes.synced(), bob.synced()]);
    const response = await revoke({ sub: 'alice' });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ revoked: { sub: 'alice' }, closedConnections: 2 });
    await waitFor(() => alice.closes.includes(CloseCode.revoked) && aliceNotes.closes.includes(CloseCode.revoked), {
      message: 'both of alice’s connections closed with 4409',
    });
    alice.provider.disconnect();
    aliceNotes.provider.disconnect();
    expect(bob.closes).toEqual([]);
    expect((await upgradeStatus(server.wsUrl, `/plan?token=${aliceOld}`)).body.error.code).toBe('revoked-token');
    const aliceNew = open('plan', await token({ sub: 'alice', docs: ['plan:write'], iat: afterNow() }));
    await aliceNew.synced();
    aliceNew.doc.getText('t').insert(0, 'alice is back;');
    await waitFor(() => bob.doc.getText('t').toString().startsWith('alice is back;'), { message: 'new token works' });
  });

  it('revokes one document for everyone, through the CLI, leaving other documents', async () => {
    const danToken = await token({ sub: 'dan', docs: ['secret:write', 'notes:write'] });
    const onSecret = open('secret', danToken);
    const onNotes = open('notes', danToken);
    await Promise.all([onSecret.synced(), onNotes.synced()]);
    const output = await runRevokeCommand(['--doc', 'secret', '--url', server.url], { TANDEM_AUTH_SECRET: SECRET });
    expect(JSON.parse(output)).toMatchObject({ revoked: { doc: 'secret' }, closedConnections: 1 });
    await waitFor(() => onSecret.closes.includes(CloseCode.revoked), { message: 'secret connection closed' });
    onSecret.provider.disconnect();
    expect(onNotes.closes).toEqual([]);
    expect((await upgradeStatus(server.wsUrl, `/secret?token=${danToken}`)).status).toBe(401);
    const notesAgain = open('notes', danToken);
    await notesAgain.synced();
  });

  it('keeps revocations across a restart when a revocations file is set', async () => {
    const aliceOld = await token({ sub: 'alice', docs: ['plan:write'], iat: nowSeconds() - 60 });
    await server.restart();
    expect((await upgradeStatus(server.wsUrl, `/plan?token=${aliceOld}`)).body.error.code).toBe('revoked-token');
    const raw = rawSocket(server.wsUrl, `/plan?token=${await token({ sub: 'alice', docs: ['plan:write'], iat: afterNow() })}`);
    await raw.opened;
    raw.ws.close();
  });

  it('mints a token from the command line', async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'server/cli.ts', 'token', '--sub', 'alice', '--name', 'Alice', '--doc', 'team-*:write', '--ttl', '1h'],
      { env: { ...process.env, TANDEM_AUTH_SECRET: SECRET }, timeout: 20_000 },
    );
    const { payload } = await jwtVerify(stdout.trim(), new TextEncoder().encode(SECRET), { algorithms: ['HS256'] });
    expect(payload).toMatchObject({ sub: 'alice', name: 'Alice', docs: ['team-*:write'] });
    expect(payload.exp! - payload.iat!).toBe(3600);
  });
});
