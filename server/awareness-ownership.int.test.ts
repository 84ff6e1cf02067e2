import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { CloseCode } from '../shared/protocol.js';
import type { TestServer } from './test-support/test-server.js';
import { startTestServer } from './test-support/test-server.js';
import { ClientPool } from './test-support/client-pool.js';
import type { TestClient } from './test-support/test-client.js';
import { rawSocket, startAuthServer, token, type RawSocket } from './test-support/auth-fixtures.js';
import { awarenessFrame } from './test-support/awareness-frames.js';
import { waitFor } from './test-support/wait-for.js';

type UserState = { user?: { name?: string; color?: string } };

function nameOf(c: TestClient, clientID: number): string | undefined {
  return (c.provider.awareness.getStates().get(clientID) as UserState | undefined)?.user?.name;
}

function clockOf(c: TestClient): number {
  return c.provider.awareness.meta.get(c.doc.clientID)!.clock;
}

// Root cause: the room applied every awareness update with y-protocols' applyAwarenessUpdate, which
// takes any entry with a newer clock from anyone: a connection could rename or remove anybody.
describe('awareness ownership', () => {
  let server: TestServer;
  const pool = new ClientPool(() => server.wsUrl);
  const sockets: RawSocket[] = [];

  afterEach(async () => {
    for (const raw of sockets.splice(0)) raw.ws.terminate();
    pool.destroyAll();
    await server.dispose();
  });

  const raw = async (path: string): Promise<RawSocket> => {
    const socket = rawSocket(server.wsUrl, path);
    sockets.push(socket);
    await socket.opened;
    // The server's sync step 1 comes once the document is loaded and the socket is read.
    await waitFor(() => socket.received.length > 0, { message: 'raw socket served' });
    return socket;
  };

  it("does not let another connection rename or remove a user's presence, and closes it (1008) when it keeps trying", async () => {
    server = await startTestServer();
    const [ada, witness] = [pool.connect('presence'), pool.connect('presence')];
    await Promise.all([ada.synced(), witness.synced()]);
    ada.provider.awareness.setLocalStateField('user', { name: 'Ada', color: '#f00' });
    await waitFor(() => nameOf(witness, ada.doc.clientID) === 'Ada', { message: 'witness sees Ada' });

    const mallory = await raw('/presence');
    const adaId = ada.doc.clientID;
    const clock = clockOf(ada);
    mallory.ws.send(awarenessFrame([{ clientID: adaId, clock: clock + 10, state: { user: { name: 'Mallory was here', color: '#000' } } }]));
    mallory.ws.send(awarenessFrame([{ clientID: adaId, clock: clock + 20, state: null }]));
    // Its own presence, sent after: once the witness sees it, the spoofs before it were handled.
    mallory.ws.send(awarenessFrame([{ clientID: 424242, clock: 1, state: { user: { name: 'Mallory', color: '#000' } } }]));
    await waitFor(() => nameOf(witness, 424242) === 'Mallory', { message: "witness sees Mallory's own presence" });
    expect(nameOf(witness, adaId)).toBe('Ada');

    // Ada's own changes still go through (her clock is behind the refused ones).
    ada.provider.awareness.setLocalStateField('user', { name: 'Ada L.', color: '#f00' });
    await waitFor(() => nameOf(witness, adaId) === 'Ada L.', { message: "witness sees Ada's rename" });

    for (let i = 0; i < 10; i++) mallory.ws.send(awarenessFrame([{ clientID: adaId, clock: clock + 100 + i, state: null }]));
    expect(await mallory.closed).toBe(CloseCode.policyViolation);
    expect(nameOf(witness, adaId)).toBe('Ada L.');
  });

  it("shows the name in the user's token, not the one the client sets", async () => {
    server = await startAuthServer();
    const [adaToken, witnessToken] = await Promise.all([
      token({ sub: 'ada', name: 'Ada Lovelace', docs: ['team:write'] }),
      token({ sub: 'wit', docs: ['team:read'] }),
    ]);
    const ada = pool.connect('team', { params: { token: adaToken } });
    const witness = pool.connect('team', { params: { token: witnessToken } });
    await Promise.all([ada.synced(), witness.synced()]);
    ada.provider.awareness.setLocalStateField('user', { name: 'Administrator', color: '#0a0' });
    await waitFor(() => nameOf(witness, ada.doc.clientID) !== undefined, { message: "witness sees Ada's presence" });
    expect(witness.provider.awareness.getStates().get(ada.doc.clientID)).toEqual({ user: { name: 'Ada Lovelace', color: '#0a0' } });
  });

  it('lets a reconnecting tab of the same subject take over its client id, but no one else', async () => {
    server = await startAuthServer();
    const [aliceToken, eveToken, witnessToken] = await Promise.all([
      token({ sub: 'alice', docs: ['pad:write'] }),
      token({ sub: 'eve', docs: ['pad:write'] }),
      token({ sub: 'wit', docs: ['pad:read'] }),
    ]);
    const oldTab = pool.connect('pad', { params: { token: aliceToken } });
    const witness = pool.connect('pad', { params: { token: witnessToken } });
    await Promise.all([oldTab.synced(), witness.synced()]);
    const id = oldTab.doc.clientID;
    oldTab.provider.awareness.setLocalStateField('user', { name: 'Alice', color: '#00f' });
    await waitFor(() => nameOf(witness, id) === 'Alice', { message: 'witness sees Alice' });

    const eve = await raw(`/pad?token=${eveToken}`);
    eve.ws.send(awarenessFrame([{ clientID: id, clock: clockOf(oldTab) + 5, state: { user: { name: 'Eve', color: '#000' } } }]));
    eve.ws.send(awarenessFrame([{ clientID: 777, clock: 1, state: { user: { name: 'Eve herself' } } }]));
    await waitFor(() => nameOf(witness, 777) === 'Eve herself', { message: "witness sees Eve's own presence" });
    expect(nameOf(witness, id)).toBe('Alice');

    // The same tab (same client id) on a new connection, while the server still holds the old one.
    const doc = new Y.Doc();
    doc.clientID = id;
    const newTab = pool.connect('pad', { params: { token: aliceToken }, doc });
    await newTab.synced();
    // Past the old tab's clock, as a tab that kept changing its cursor would be.
    for (let i = 0; i <= clockOf(oldTab); i++) newTab.provider.awareness.setLocalStateField('user', { name: `Alice, back ${i}`, color: '#00f' });
    const expected = `Alice, back ${clockOf(oldTab)}`;
    await waitFor(() => nameOf(witness, id) === expected, { message: 'witness sees the new tab' });

    // The old connection goes: the id is the new one's now, so it stays.
    oldTab.provider.shouldConnect = false;
    (oldTab.provider.ws as unknown as { terminate(): void }).terminate();
    await waitFor(() => server.server.gateway.connectionCount === 3, { message: 'old tab gone from the server' });
    // Sent after the old tab left: once the witness has it, a removal sent at the leave has arrived too.
    eve.ws.send(awarenessFrame([{ clientID: 777, clock: 2, state: { user: { name: 'Eve, later' } } }]));
    await waitFor(() => nameOf(witness, 777) === 'Eve, later', { message: "witness sees Eve's later presence" });
    expect(nameOf(witness, id)).toBe(expected);
  });
});
