import { afterEach, describe, expect, it } from 'vitest';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { pino } from 'pino';
import type { ClientMessage } from '../protocol/codec.js';
import { awarenessFrame } from '../test-support/awareness-frames.js';
import { waitFor } from '../test-support/wait-for.js';
import { OutboundBudget } from './outbound-budget.js';
import type { PeerSettings } from './peer-settings.js';
import { WebSocketPeer } from './web-socket-peer.js';

const settings: PeerSettings = {
  logger: pino({ level: 'silent' }),
  onClosed: () => undefined,
  meter: null,
  maxBufferedBytes: 2 ** 20,
  budget: new OutboundBudget({ maxBytes: 2 ** 24 }),
  maxEarlyMessages: 100,
  maxEarlyBytes: 2 ** 20,
  maxRefusedWrites: 10,
  awarenessLimits: { maxStateBytes: 1024, maxIds: 4 },
  maxRefusedAwareness: 10,
  throttle: { messagesPerSecond: 1_000, bytesPerSecond: 2 ** 20, awarenessPerSecond: 100, maxMessageBytes: 2 ** 20, closeAfterMs: 10_000 },
};

// Root cause: every awareness message a stock client echoed back was judged by the room, which
// parsed every state in it, although it only repeats states the room sent at clocks it has passed.
describe('WebSocketPeer awareness echoes', () => {
  const closers: (() => void)[] = [];
  afterEach(() => {
    for (const close of closers.splice(0)) close();
  });

  /** A WebSocketPeer on a real socket pair: what it delivers to the room, what its client receives. */
  async function connectedPeer() {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    closers.push(() => wss.close());
    await once(wss, 'listening');
    const client = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`);
    closers.push(() => client.terminate());
    const [serverSide] = (await once(wss, 'connection')) as [WebSocket];
    const peer = new WebSocketPeer({ ws: serverSide, id: 'c1', docName: 'doc', canWrite: true, wantsSaveAck: false, subject: null, displayName: null, settings });
    const delivered: ClientMessage[] = [];
    peer.bind({ receive: (_peer, message) => delivered.push(message) });
    const received: Buffer[] = [];
    client.on('message', (data: Buffer) => received.push(data));
    if (client.readyState !== WebSocket.OPEN) await once(client, 'open');
    return { peer, client, delivered, received, serverSide };
  }

  it('drops an echo of an awareness message it sent, and delivers the next awareness message to the room', async () => {
    const { peer, client, delivered, received: echoed } = await connectedPeer();

    const sent = awarenessFrame([{ clientID: 9, clock: 3, state: { cursor: 1 } }]);
    peer.send(sent);
    await waitFor(() => echoed.length === 1, { message: 'client got the awareness message' });
    client.send(echoed[0]!);
    const own = awarenessFrame([{ clientID: 10, clock: 1, state: { cursor: 2 } }]);
    client.send(own);

    await waitFor(() => delivered.length > 0, { message: 'a message delivered to the room' });
    expect(delivered.map((message) => message.kind)).toEqual(['awareness']);
    expect(Buffer.from((delivered[0] as { update: Uint8Array }).update)).toEqual(Buffer.from(own.subarray(2)));
  });

  it('sends several messages in one write as separate frames (one message each for a stock client), and still drops the echo of the awareness among them', async () => {
    const { peer, client, delivered, received, serverSide } = await connectedPeer();
    const socket = (serverSide as unknown as { _socket: import('node:net').Socket })._socket;
    const writesBefore = socket.bytesWritten;
    // Counts the writes onto the TCP socket: the messages must leave in one.
    let writes = 0;
    const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
    socket.write = ((...args: unknown[]) => {
      writes++;
      return write(...args);
    });

    const update = Uint8Array.from([0, 2, 2, 0, 0]);
    const presence = awarenessFrame([{ clientID: 9, clock: 3, state: { cursor: 1 } }]);
    peer.sendAll([update, presence]);
    await waitFor(() => received.length === 2, { message: 'client got both messages' });
    expect(received.map((data) => Buffer.from(data))).toEqual([Buffer.from(update), Buffer.from(presence)]);
    expect(writes).toBe(1);
    expect(socket.bytesWritten - writesBefore).toBe(update.length + 2 + presence.length + 2);

    client.send(received[1]!);
    const own = awarenessFrame([{ clientID: 10, clock: 1, state: { cursor: 2 } }]);
    client.send(own);
    await waitFor(() => delivered.length > 0, { message: 'a message delivered to the room' });
    expect(delivered.map((message) => message.kind)).toEqual(['awareness']);
    expect(Buffer.from((delivered[0] as { update: Uint8Array }).update)).toEqual(Buffer.from(own.subarray(2)));
  });
});

