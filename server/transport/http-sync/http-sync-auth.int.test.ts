/**
 * The HTTP fallback transport's refusals and endings against a real server with auth: the same
 * refusals as a WebSocket upgrade when a session is opened (one connection quota for both
 * transports), the token checked on every request, read-only sessions that cannot write, bad
 * session ids and bad bodies answered 4xx JSON with nothing stored, idle sessions reaped with
 * their presence removed, and sessions ended by token expiry (4408) and revocation (4409).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import * as awarenessProtocol from 'y-protocols/awareness';
import { encodeMessageBatch } from '../../../shared/http-sync-framing.js';
import { CloseCode, MessageType } from '../../../shared/protocol.js';
import type { TestServer } from '../../test-support/test-server.js';
import { connectClient, type TestClient } from '../../test-support/test-client.js';
import { connectHttpClient, type HttpTestClient } from '../../test-support/http-sync-client.js';
import { insertUpdate, startAuthServer, syncUpdateFrame, token } from '../../test-support/auth-fixtures.js';
import { waitFor } from '../../test-support/wait-for.js';

const PING_MS = 150;
const frame = (text: string): Uint8Array => syncUpdateFrame(insertUpdate(text));
const MAX_REFUSED = 3;
const MAX_MESSAGE = 64 * 1024;

interface Refusal {
  status: number;
  body: { error: { code: string; message: string }; closeCode?: number };
}

describe('HTTP fallback sessions with auth', () => {
  let server: TestServer;
  let writeToken: string;
  const wsClients: TestClient[] = [];
  const httpClients: HttpTestClient[] = [];

  beforeAll(async () => {
    server = await startAuthServer([
      '--ping-interval-ms', String(PING_MS),
      '--max-refused-writes', String(MAX_REFUSED),
      '--max-message-bytes', String(MAX_MESSAGE),
      '--max-early-bytes', String(MAX_MESSAGE),
      '--max-connections-per-doc', '3',
    ]);
    writeToken = await token({ sub: 'will', docs: ['*:write'] });
  });
  afterEach(async () => {
    for (const c of wsClients.splice(0)) c.destroy();
    await Promise.all(httpClients.splice(0).map((c) => c.destroy()));
  });
  afterAll(() => server.dispose());

  const ws = (doc: string, tokenValue = writeToken): TestClient => {
    const client = connectClient(server.wsUrl, doc, { params: { token: tokenValue } });
    wsClients.push(client);
    return client;
  };
  const http = (doc: string, tokenValue: string): HttpTestClient => {
    const client = connectHttpClient(server.url, doc, { token: tokenValue });
    httpClients.push(client);
    return client;
  };
  const call = async (method: string, path: string, options: { token?: string | null; body?: Uint8Array; type?: string } = {}): Promise<Refusal> => {
    const headers: Record<string, string> = {};
    const bearer = options.token === undefined ? writeToken : options.token;
    if (bearer) headers.authorization = `Bearer ${bearer}`;
    if (options.body) headers['content-type'] = options.type ?? 'application/octet-stream';
    const res = await fetch(`${server.url}${path}`, { method, headers, ...(options.body ? { body: options.body as BodyInit } : {}) });
    const text = await res.text();
    return { status: res.status, body: text === '' ? ({} as Refusal['body']) : (JSON.parse(text) as Refusal['body']) };
  };
  const openSession = async (doc: string, tokenValue = writeToken): Promise<string> => {
    const opened = await call('POST', `/sync/${doc}/sessions`, { token: tokenValue });
    expect(opened.status).toBe(201);
    return (opened.body as unknown as { sessionId: string }).sessionId;
  };
  /** The server's copy once it has `text`. */
  const serverDocWhenHas = async (doc: string, text: string): Promise<Y.Doc> => {
    await waitFor(() => server.server.registry.peekLoaded(doc)?.doc.getText('t').toString() === text, { message: `${doc} has ${text}` });
    return serverDoc(doc);
  };
  /** The server's copy, as a brand-new WebSocket client receives it. */
  const serverDoc = async (doc: string): Promise<Y.Doc> => {
    const fresh = ws(doc);
    await fresh.synced();
    return fresh.doc;
  };

  it('refuses to open a session as an upgrade is refused: 400 name, 401 token, 403 document, 503 quota shared with WebSockets', async () => {
    expect(await call('POST', '/sync/bad%20name/sessions')).toMatchObject({ status: 400, body: { error: { code: 'invalid-document-name' } } });
    expect(await call('POST', '/sync/quota/sessions', { token: null })).toMatchObject({ status: 401, body: { error: { code: 'missing-token' } } });
    expect(await call('POST', '/sync/quota/sessions', { token: 'not-a-token' })).toMatchObject({ status: 401, body: { error: { code: 'invalid-token' } } });
    const other = await token({ sub: 'olga', docs: ['elsewhere:write'] });
    expect(await call('POST', '/sync/quota/sessions', { token: other })).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
    // Three connections per document: two WebSockets and one session fill it, for both transports.
    await Promise.all([ws('quota').synced(), ws('quota').synced()]);
    await openSession('quota');
    expect(await call('POST', '/sync/quota/sessions')).toMatchObject({ status: 503, body: { error: { code: 'document-full' } } });
  });

  it('checks the token on every request: none 401, another subject 403, and the session goes on', async () => {
    const id = await openSession('owner');
    expect(await call('GET', `/sync/owner/sessions/${id}/stream`, { token: null })).toMatchObject({ status: 401, body: { error: { code: 'missing-token' } } });
    const mallory = await token({ sub: 'mallory', docs: ['owner:write'] });
    expect(await call('POST', `/sync/owner/sessions/${id}/messages?seq=1`, { token: mallory, body: encodeMessageBatch([frame('x')]) })).toMatchObject({
      status: 403,
      body: { error: { code: 'not-session-owner' } },
    });
    expect(await call('POST', `/sync/owner/sessions/${id}/messages?seq=1`, { body: encodeMessageBatch([frame('mine')]) })).toMatchObject({ status: 200 });
    expect((await serverDoc('owner')).getText('t').toString()).toBe('mine');
  });

  it('answers unknown session ids and another document’s session with 404 JSON', async () => {
    const id = await openSession('ids');
    expect(await call('GET', '/sync/ids/sessions/00000000-0000-0000-0000-000000000000/stream')).toMatchObject({ status: 404, body: { error: { code: 'unknown-session' } } });
    expect(await call('POST', `/sync/other/sessions/${id}/messages?seq=1`, { body: encodeMessageBatch([frame('x')]) })).toMatchObject({
      status: 404,
      body: { error: { code: 'unknown-session' } },
    });
    expect((await serverDoc('ids')).getText('t').toString()).toBe('');
  });

  it('refuses bad bodies with 4xx JSON and stores nothing of them: corrupt message, truncated frame, huge body, wrong type', async () => {
    const corrupt = await openSession('bodies');
    // A sync update whose content is cut short, after a good message in the same body.
    const good = frame('good');
    const broken = frame('broken').slice(0, -3);
    const refusedCorrupt = await call('POST', `/sync/bodies/sessions/${corrupt}/messages?seq=1`, { body: encodeMessageBatch([good, broken]) });
    expect(refusedCorrupt.status).toBe(400);
    expect(refusedCorrupt.body.closeCode).toBe(CloseCode.invalidData);
    // The session ended like a socket closed for a bad frame.
    expect(await call('POST', `/sync/bodies/sessions/${corrupt}/messages?seq=1`, { body: encodeMessageBatch([good]) })).toMatchObject({
      status: 410,
      body: { error: { code: 'session-closed' }, closeCode: CloseCode.invalidData },
    });

    const truncated = await openSession('bodies');
    const framed = encodeMessageBatch([good]);
    expect(await call('POST', `/sync/bodies/sessions/${truncated}/messages?seq=1`, { body: framed.slice(0, -2) })).toMatchObject({
      status: 400,
      body: { error: { code: 'bad-framing' }, closeCode: CloseCode.invalidData },
    });

    const huge = await openSession('bodies');
    expect(await call('POST', `/sync/bodies/sessions/${huge}/messages?seq=1`, { body: new Uint8Array(MAX_MESSAGE + 100) })).toMatchObject({
      status: 413,
      body: { error: { code: 'too-large' } },
    });
    expect(await call('POST', `/sync/bodies/sessions/${huge}/messages?seq=1`, { body: framed, type: 'text/plain' })).toMatchObject({
      status: 415,
      body: { error: { code: 'unsupported-media-type' } },
    });
    expect(await call('POST', `/sync/bodies/sessions/${huge}/messages?seq=1`)).toMatchObject({ status: 415 });

    const stored = await serverDoc('bodies');
    expect(stored.getText('t').toString()).toBe('');
    expect(Y.encodeStateVector(stored)).toEqual(Uint8Array.of(0));
  });

  it('a read-only session receives edits but cannot write; repeated attempts end it with 1008', async () => {
    const writer = ws('report');
    await writer.synced();
    writer.doc.getText('t').insert(0, 'by the writer');
    const readToken = await token({ sub: 'rita', docs: ['report:read'] });
    const reader = http('report', readToken);
    await waitFor(() => reader.doc.getText('t').toString() === 'by the writer', { message: 'the reader has the document' });
    for (let i = 0; i <= MAX_REFUSED; i++) reader.doc.getText('t').insert(0, `nope${i} `);
    await waitFor(() => reader.closes.includes(CloseCode.policyViolation), { message: 'ended with 1008' });
    expect(writer.doc.getText('t').toString()).toBe('by the writer');
    expect((await serverDoc('report')).getText('t').toString()).toBe('by the writer');
  });

  it('reaps a session that stops polling: it leaves the room and its cursor disappears for WebSocket clients', async () => {
    const watcher = ws('reap');
    await watcher.synced();
    const id = await openSession('reap');
    const presence = new awarenessProtocol.Awareness(new Y.Doc());
    presence.setLocalState({ user: { name: 'Gone Soon' } });
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MessageType.awareness);
    encoding.writeVarUint8Array(encoder, awarenessProtocol.encodeAwarenessUpdate(presence, [presence.clientID]));
    expect((await call('POST', `/sync/reap/sessions/${id}/messages?seq=1`, { body: encodeMessageBatch([encoding.toUint8Array(encoder)]) })).status).toBe(200);
    await waitFor(() => watcher.provider.awareness.getStates().has(presence.clientID), { message: 'the cursor is seen' });
    // No stream and no POST from here on: reaped after two ping intervals.
    await waitFor(() => !watcher.provider.awareness.getStates().has(presence.clientID), { timeoutMs: 20 * PING_MS, message: 'the cursor is gone' });
    expect(await call('GET', `/sync/reap/sessions/${id}/stream`)).toMatchObject({ status: 410, body: { error: { code: 'session-closed' }, closeCode: 1006 } });
    expect(server.server.registry.peekLoaded('reap')?.peerCount).toBe(1);
    presence.destroy();
  });

  it('keeps a session with an open stream and no POSTs alive past the idle time', async () => {
    const writer = ws('streaming');
    await writer.synced();
    const reader = http('streaming', writeToken);
    await reader.synced();
    const started = Date.now();
    await waitFor(() => Date.now() - started > 6 * PING_MS, { message: 'three idle periods' });
    writer.doc.getText('t').insert(0, 'still here');
    await waitFor(() => reader.doc.getText('t').toString() === 'still here', { message: 'the edit arrives' });
    expect(reader.closes).toEqual([]);
  });

  it('ends the session with 4408 when its token expires', async () => {
    const shortLived = await token({ sub: 'eve', docs: ['plan:write'], ttlSeconds: 1 });
    const eve = http('plan', shortLived);
    await eve.synced();
    await waitFor(() => eve.closes.includes(CloseCode.tokenExpired), { timeoutMs: 5_000, message: 'ended with 4408' });
    // 44xx: the provider does not reconnect on its own.
    expect(eve.provider.status).toBe('disconnected');
  });

  it('with a token function, a session ended by expiry (4408) is followed by a new one on a fresh token', async () => {
    const tokens = [await token({ sub: 'fay', docs: ['renew:write'], ttlSeconds: 1 }), await token({ sub: 'fay', docs: ['renew:write'] })];
    let calls = 0;
    const fay = connectHttpClient(server.url, 'renew', { token: () => tokens[Math.min(calls++, 1)]! });
    httpClients.push(fay);
    await fay.synced();
    const first = fay.provider.transport!.connectionId;
    await waitFor(() => fay.closes.includes(CloseCode.tokenExpired), { timeoutMs: 5_000, message: 'ended with 4408' });
    await waitFor(() => fay.provider.synced && fay.provider.transport?.connectionId !== first, { message: 'a new session' });
    fay.doc.getText('t').insert(0, 'renewed');
    expect((await serverDocWhenHas('renew', 'renewed')).getText('t').toString()).toBe('renewed');
  });

  it('ends the session with 4409 when its token is revoked', async () => {
    const admin = await token({ sub: 'root', docs: [], admin: true });
    const alice = await token({ sub: 'alice', docs: ['notes:write'] });
    const client = http('notes', alice);
    await client.synced();
    const res = await fetch(`${server.url}/api/admin/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
      body: JSON.stringify({ sub: 'alice' }),
    });
    expect(res.status).toBe(200);
    await waitFor(() => client.closes.includes(CloseCode.revoked), { message: 'ended with 4409' });
    expect(await call('POST', '/sync/notes/sessions', { token: alice })).toMatchObject({ status: 401, body: { error: { code: 'revoked-token' } } });
  });

  it('sessions are in the admin overview and in tandem_connections; an administrator closes one with 4205 and the client comes back', async () => {
    const admin = await token({ sub: 'root', docs: [], admin: true });
    const adminCall = (method: string, path: string): Promise<Response> => fetch(`${server.url}${path}`, { method, headers: { authorization: `Bearer ${admin}` } });
    const client = http('admin', writeToken);
    await client.synced();
    const overview = (await (await adminCall('GET', '/api/admin/overview')).json()) as { documents: Array<{ name: string; connections: Array<{ id: string; sub: string }> }> };
    const listed = overview.documents.find((d) => d.name === 'admin')?.connections ?? [];
    expect(listed).toEqual([expect.objectContaining({ id: client.provider.transport!.connectionId, sub: 'will' })]);
    const metrics = await (await adminCall('GET', '/metrics')).text();
    expect(metrics).toMatch(/tandem_connections\{access="read-write"\} [1-9]/);
    expect((await adminCall('POST', `/api/admin/connections/${listed[0]!.id}/close`)).status).toBe(204);
    await waitFor(() => client.closes.includes(CloseCode.closedByAdmin), { message: 'ended with 4205' });
    await waitFor(() => client.provider.synced && client.provider.transport?.connectionId !== listed[0]!.id, { message: 'back on a new session' });
  });

  it('a session that is left (DELETE) takes its presence with it at once', async () => {
    const watcher = ws('leave');
    await watcher.synced();
    const leaver = connectHttpClient(server.url, 'leave', { token: writeToken });
    await leaver.synced();
    leaver.provider.awareness.setLocalStateField('user', { name: 'Leaving' });
    const id = leaver.doc.clientID;
    await waitFor(() => watcher.provider.awareness.getStates().has(id), { message: 'the cursor is seen' });
    const sessionId = leaver.provider.transport!.sessionId!;
    await leaver.provider.disconnect();
    await waitFor(() => !watcher.provider.awareness.getStates().has(id), { message: 'the cursor is gone' });
    // Ended by the leave (1000), not by the reaper (1006) or the awareness timeout (30 s).
    expect(await call('GET', `/sync/leave/sessions/${sessionId}/stream`)).toMatchObject({ status: 410, body: { closeCode: CloseCode.normal } });
    await leaver.destroy();
  });
});
