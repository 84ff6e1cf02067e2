/**
 * The admin overview and connection close, against a real server with auth and real y-websocket
 * clients: Alice (read-write) and Bob (read-only) on one document, with their own tokens.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../test-support/test-server.js';
import { connectClient, type TestClient } from '../test-support/test-client.js';
import { rawSocket, SECRET, syncUpdateFrame, token } from '../test-support/auth-fixtures.js';
import { waitFor } from '../test-support/wait-for.js';
import type { DocumentStore } from '../persistence/document-store.js';
import type { AdminOverview } from '../../shared/admin-overview.js';
import { CloseCode } from '../../shared/protocol.js';

// Asymmetric matchers are `any` to TypeScript; held as unknown they type-check as values.
const anyString: unknown = expect.any(String);
const anyNumber: unknown = expect.any(Number);
const connectionId: unknown = expect.stringMatching(/^c\d+$/);

describe('admin overview and connection close', () => {
  let server: TestServer;
  let admin: string;
  let aliceToken: string;
  let bobToken: string;
  let alice: TestClient;
  let bob: TestClient;
  let listCalls = 0;

  beforeAll(async () => {
    server = await startTestServer([], { TANDEM_AUTH_SECRET: SECRET }, {
      wrapStore: (inner: DocumentStore): DocumentStore => ({
        load: (name) => inner.load(name),
        appendUpdates: (name, updates, stats) => inner.appendUpdates(name, updates, stats),
        compact: (name, snapshot, cursor, stats) => inner.compact(name, snapshot, cursor, stats),
        delete: (name) => inner.delete(name),
        list: () => {
          listCalls++;
          return inner.list();
        },
        addVersion: (name, version) => inner.addVersion(name, version),
        listVersions: (name) => inner.listVersions(name),
        loadVersion: (name, id) => inner.loadVersion(name, id),
        deleteVersions: (name, ids) => inner.deleteVersions(name, ids),
        ping: () => inner.ping(),
        close: () => inner.close(),
      }),
    });
    admin = await token({ sub: 'root', docs: [], admin: true });
    aliceToken = await token({ sub: 'alice', name: 'Alice', docs: ['plan:write'] });
    bobToken = await token({ sub: 'bob', name: 'Bob', docs: ['plan:read'] });
    alice = connectClient(server.wsUrl, 'plan', { params: { token: aliceToken }, saveAck: true });
    bob = connectClient(server.wsUrl, 'plan', { params: { token: bobToken } });
    await Promise.all([alice.synced(), bob.synced()]);
  });
  afterAll(async () => {
    alice?.destroy();
    bob?.destroy();
    await server?.dispose();
  });

  const overview = async (): Promise<AdminOverview> => {
    const response = await fetch(`${server.url}/api/admin/overview`, { headers: { authorization: `Bearer ${admin}` } });
    expect(response.status).toBe(200);
    return (await response.json()) as AdminOverview;
  };
  const closeConnection = (id: string, headers: Record<string, string> = { authorization: `Bearer ${admin}` }, query = ''): Promise<Response> =>
    fetch(`${server.url}/api/admin/connections/${id}/close${query}`, { method: 'POST', headers });
  const connectionsOf = (view: AdminOverview, doc: string) => view.documents.find((entry) => entry.name === doc)?.connections ?? [];

  it('lists the document with both connections, who is behind each and their access, and the stored size (listed once per 10 s)', async () => {
    alice.doc.getText('t').insert(0, 'hello');
    await waitFor(() => alice.sentUpdateMessages > 0 && alice.savedCount >= alice.sentUpdateMessages, { message: 'alice’s edit saved' });
    const view = await overview();
    const plan = view.documents.find((entry) => entry.name === 'plan');
    // Oldest first: the two clients connect at the same moment, so compare them in subject order.
    plan!.connections.sort((a, b) => a.sub.localeCompare(b.sub));
    expect(plan).toEqual({
      name: 'plan',
      loaded: true,
      connectionCount: 2,
      leases: 0,
      connections: [
        { id: connectionId, sub: 'alice', name: 'Alice', access: 'read-write', connectedAt: anyString, remoteAddress: '127.0.0.1' },
        { id: connectionId, sub: 'bob', name: 'Bob', access: 'read-only', connectedAt: anyString, remoteAddress: '127.0.0.1' },
      ],
    });
    expect(Date.now() - Date.parse(plan!.connections[0]!.connectedAt)).toBeLessThan(60_000);
    expect(view.totals).toEqual({ documents: 1, connections: 2 });
    expect(view.store).toEqual({ documents: 1, bytes: anyNumber, measuredAt: anyString });
    expect(view.store!.bytes).toBeGreaterThan(0);
    // The store listing is cached: more overviews within 10 s list it no more.
    await overview();
    await overview();
    expect(listCalls).toBe(1);
  });

  it('closes exactly the named connection with 4205; it reconnects, and the other keeps its socket and still syncs', async () => {
    const before = connectionsOf(await overview(), 'plan');
    const aliceId = before.find((connection) => connection.sub === 'alice')!.id;
    const bobId = before.find((connection) => connection.sub === 'bob')!.id;
    const bobSocket = bob.provider.ws;
    const aliceClosed = new Promise<number>((resolve) => {
      alice.provider.once('connection-close', (event) => resolve(event?.code ?? -1));
    });

    const response = await closeConnection(aliceId);
    expect(response.status).toBe(204);
    expect(await aliceClosed).toBe(CloseCode.closedByAdmin);

    // y-websocket reconnects on 4205: Alice is back under a new id, Bob never left.
    await waitFor(async () => connectionsOf(await overview(), 'plan').some((c) => c.sub === 'alice' && c.id !== aliceId), { message: 'alice reconnected' });
    const after = connectionsOf(await overview(), 'plan');
    expect(after.map((connection) => connection.id)).toContain(bobId);
    expect(after.map((connection) => connection.id)).not.toContain(aliceId);
    expect(bob.provider.ws).toBe(bobSocket);
    await alice.synced();
    alice.doc.getText('t').insert(alice.doc.getText('t').length, ' world');
    await waitFor(() => bob.doc.getText('t').toString() === 'hello world', { message: 'bob receives alice’s edit after the close' });
    expect(server.logs.some((line) => line.msg === 'connection closed by an administrator' && line.connId === aliceId && line.by === 'root' && line.code === 4205)).toBe(true);
  });

  it('logs the overview polls at debug, not info, while a close request is logged at info', async () => {
    await fetch(`${server.url}/api/admin/overview`, { headers: { authorization: `Bearer ${admin}`, 'x-request-id': 'poll-1' } });
    await closeConnection('c424242', { authorization: `Bearer ${admin}`, 'x-request-id': 'close-1' });
    // Lines are written in order: once the close's line is there, the poll's would be too.
    await waitFor(() => server.logs.some((line) => line.reqId === 'close-1' && line.msg === 'request completed'), { message: 'close request logged' });
    expect(server.logs.filter((line) => line.reqId === 'poll-1')).toEqual([]);
  });

  it('answers 404 JSON for a connection this server does not have', async () => {
    const response = await closeConnection('c999999');
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: { code: 'not-found', message: 'no open connection c999999 on this server' } });
  });

  it('refuses callers without an admin token in the Authorization header (401 none or ?token=, 403 not admin) and closes nothing', async () => {
    const bobId = connectionsOf(await overview(), 'plan').find((connection) => connection.sub === 'bob')!.id;
    const bobSocket = bob.provider.ws;
    const attempts = [
      await fetch(`${server.url}/api/admin/overview`),
      await fetch(`${server.url}/api/admin/overview?token=${admin}`),
      await fetch(`${server.url}/api/admin/overview`, { headers: { authorization: `Bearer ${aliceToken}` } }),
      await closeConnection(bobId, {}),
      await closeConnection(bobId, {}, `?token=${admin}`),
      await closeConnection(bobId, { authorization: `Bearer ${aliceToken}` }),
    ];
    const answers = await Promise.all(attempts.map(async (response) => ({ status: response.status, code: ((await response.json()) as { error: { code: string } }).error.code })));
    const missing = { status: 401, code: 'missing-token' };
    const notAdmin = { status: 403, code: 'not-admin' };
    expect(answers).toEqual([missing, missing, notAdmin, missing, missing, notAdmin]);
    expect(bob.provider.ws).toBe(bobSocket);
    expect(connectionsOf(await overview(), 'plan').map((connection) => connection.id)).toContain(bobId);
  });

  it('shows the warning a malformed frame causes among the recent errors, with its document, connection and close code', async () => {
    const attacker = rawSocket(server.wsUrl, `/plan?token=${aliceToken}`);
    await attacker.opened;
    const attackerId = connectionsOf(await overview(), 'plan').map((connection) => connection.id).at(-1)!;
    // Sync update claiming 0xffff bytes in a 1-byte frame tail: truncated, refused with 1007.
    attacker.ws.send(syncUpdateFrame(Uint8Array.of(1)).subarray(0, 3));
    expect(await attacker.closed).toBe(CloseCode.invalidData);
    const view = await overview();
    expect(view.recentErrors[0]).toEqual({
      time: anyString,
      level: 'warn',
      msg: anyString,
      doc: 'plan',
      connId: attackerId,
      code: CloseCode.invalidData,
      reason: anyString,
    });
    expect(JSON.stringify(view)).not.toContain(aliceToken);
  });
});

describe('admin overview without auth', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.dispose());

  it('answers 409 auth-disabled in open mode, even on loopback, and closes nothing', async () => {
    const client = connectClient(server.wsUrl, 'open-doc');
    try {
      await client.synced();
      const socket = client.provider.ws;
      const answers = await Promise.all([
        fetch(`${server.url}/api/admin/overview`),
        fetch(`${server.url}/api/admin/connections/c1/close`, { method: 'POST' }),
      ]);
      expect(answers.map((response) => response.status)).toEqual([409, 409]);
      expect(await answers[0].json()).toEqual({ error: { code: 'auth-disabled', message: 'the admin API needs auth to be configured' } });
      expect(client.provider.ws).toBe(socket);
    } finally {
      client.destroy();
    }
  });
});

describe('admin overview while the store cannot list', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer([], { TANDEM_AUTH_SECRET: SECRET }, {
      wrapStore: (inner: DocumentStore): DocumentStore => ({
        load: (name) => inner.load(name),
        appendUpdates: (name, updates, stats) => inner.appendUpdates(name, updates, stats),
        compact: (name, snapshot, cursor, stats) => inner.compact(name, snapshot, cursor, stats),
        delete: (name) => inner.delete(name),
        list: () => Promise.reject(new Error('listing unavailable')),
        addVersion: (name, version) => inner.addVersion(name, version),
        listVersions: (name) => inner.listVersions(name),
        loadVersion: (name, id) => inner.loadVersion(name, id),
        deleteVersions: (name, ids) => inner.deleteVersions(name, ids),
        ping: () => inner.ping(),
        close: () => inner.close(),
      }),
    });
  });
  afterAll(() => server?.dispose());

  it('still shows the live documents, with store null and the reason, and logs a warning', async () => {
    const writer = connectClient(server.wsUrl, 'live', { params: { token: await token({ sub: 'wendy', docs: ['live:write'] }) } });
    try {
      await writer.synced();
      const admin = await token({ sub: 'root', docs: [], admin: true });
      const response = await fetch(`${server.url}/api/admin/overview`, { headers: { authorization: `Bearer ${admin}` } });
      expect(response.status).toBe(200);
      const view = (await response.json()) as AdminOverview;
      expect(view.store).toBeNull();
      expect(view.storeError).toBe('listing unavailable');
      expect(view.documents.map((doc) => [doc.name, doc.connections.map((c) => c.sub)])).toEqual([['live', ['wendy']]]);
      expect(server.logs.some((line) => line.msg === 'admin overview: the store did not list its documents')).toBe(true);
    } finally {
      writer.destroy();
    }
  });
});
