import { once } from 'node:events';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { pino } from 'pino';
import type { ClientMessage } from '../protocol/codec.js';
import { WebSocketPeer } from '../transport/web-socket-peer.js';
import { OutboundBudget } from '../transport/outbound-budget.js';
import type { PeerSettings } from '../transport/peer-settings.js';

/** Generous limits and a silent logger, for tests of one WebSocketPeer on a real socket pair. */
export const testPeerSettings: PeerSettings = {
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

export interface PeerPair {
  peer: WebSocketPeer;
  /** The client end of the socket pair. */
  client: WebSocket;
  /** The server end, under the peer. */
  serverSide: WebSocket;
  /** What the peer delivered to its room. */
  delivered: ClientMessage[];
  /** What the client received, one entry per message. */
  received: Buffer[];
}

/**
 * A WebSocketPeer on a real socket pair over 127.0.0.1, bound to a room stand-in that records
 * what it delivers. `closers` gets what tears the pair down.
 */
export async function connectPeerPair(closers: (() => void)[], options: { wantsSaveAck?: boolean; sendsOwnPresenceOnly?: boolean; savedAckRideMs?: number } = {}): Promise<PeerPair> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  closers.push(() => wss.close());
  await once(wss, 'listening');
  const client = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`);
  closers.push(() => client.terminate());
  const [serverSide] = (await once(wss, 'connection')) as [WebSocket];
  const settings = options.savedAckRideMs === undefined ? testPeerSettings : { ...testPeerSettings, savedAckRideMs: options.savedAckRideMs };
  const peer = new WebSocketPeer({ ws: serverSide, id: 'c1', docName: 'doc', canWrite: true, wantsSaveAck: options.wantsSaveAck ?? false,
    sendsOwnPresenceOnly: options.sendsOwnPresenceOnly ?? false,
    subject: null, displayName: null, settings });
  const delivered: ClientMessage[] = [];
  peer.bind({ receive: (_peer, message) => delivered.push(message) });
  const received: Buffer[] = [];
  client.on('message', (data: Buffer) => received.push(Buffer.from(data)));
  if (client.readyState !== WebSocket.OPEN) await once(client, 'open');
  return { peer, client, serverSide, delivered, received };
}

/** Counts the writes onto the TCP socket under a server-side WebSocket from now on. */
export function countSocketWrites(serverSide: WebSocket): { readonly writes: number; readonly socket: Socket } {
  const socket = (serverSide as unknown as { _socket: Socket })._socket;
  const counter = { writes: 0, socket };
  const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
  socket.write = (...args: unknown[]) => {
    counter.writes++;
    return write(...args);
  };
  return counter;
}
