import { afterEach, describe, expect, it } from 'vitest';
import type { Socket } from 'node:net';
import { MessageType } from '../shared/protocol.js';
import { startTestServer, type TestServer } from './test-support/test-server.js';
import { ClientPool } from './test-support/client-pool.js';
import { rawSocket, type RawSocket } from './test-support/auth-fixtures.js';
import { awarenessEntryCount, awarenessFrame } from './test-support/awareness-frames.js';
import { waitFor } from './test-support/wait-for.js';

// Root cause: every awareness update a room applied was broadcast to every peer as a frame of its
// own, so a document with N people moving cursors sent N² frames a second.
describe('awareness batching', () => {
  let server: TestServer;
  const pool = new ClientPool(() => server.wsUrl);
  const sockets: RawSocket[] = [];

  afterEach(async () => {
    for (const raw of sockets.splice(0)) raw.ws.terminate();
    pool.destroyAll();
    await server.dispose();
  });

  const served = async (doc: string): Promise<RawSocket> => {
    const socket = rawSocket(server.wsUrl, `/${doc}`);
    sockets.push(socket);
    await socket.opened;
    await waitFor(() => socket.received.length > 0, { message: 'raw socket served' });
    return socket;
  };

  it('sends the others one awareness frame holding every cursor that changed in one turn, and the sender none', async () => {
    server = await startTestServer();
    const observer = pool.connect('hot');
    await observer.synced();
    const sender = await served('hot');
    const watcher = await served('hot');
    const watcherBefore = watcher.received.length;
    const senderBefore = sender.received.length;

    // Three cursor moves in one TCP write: the server reads and applies them in one turn.
    const tcp = (sender.ws as unknown as { _socket: Socket })._socket;
    tcp.cork();
    sender.ws.send(awarenessFrame([{ clientID: 7_001, clock: 1, state: { cursor: 1 } }]));
    sender.ws.send(awarenessFrame([{ clientID: 7_002, clock: 1, state: { cursor: 2 } }]));
    sender.ws.send(awarenessFrame([{ clientID: 7_001, clock: 2, state: { cursor: 'moved' } }]));
    tcp.uncork();

    const states = observer.provider.awareness.getStates();
    await waitFor(() => states.get(7_001)?.cursor === 'moved' && states.get(7_002)?.cursor === 2, { message: 'observer sees both cursors' });
    const presence = (frames: Uint8Array[], from: number): Uint8Array[] => frames.slice(from).filter((frame) => frame[0] === MessageType.awareness);
    await waitFor(() => presence(watcher.received, watcherBefore).length > 0, { message: 'watcher got presence' });
    expect(presence(watcher.received, watcherBefore).map(awarenessEntryCount)).toEqual([2]);
    expect(presence(sender.received, senderBefore)).toEqual([]);
  });
});
