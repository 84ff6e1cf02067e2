/**
 * What a WebSocketPeer is told by its gateway: who the connection is, and the settings. Settings
 * and callbacks are the same for every peer of a gateway, so they are one object, shared: idle
 * connections add up (10,000 per process is ordinary), and a peer keeps one reference instead of
 * a dozen fields.
 */
import type { WebSocket } from 'ws';
import type { Logger } from 'pino';
import type { ClientMessage } from '../protocol/codec.js';
import type { RoomPeer } from '../room/room-peer.js';
import type { AwarenessLimits } from '../room/awareness-guard.js';
import type { ThrottleLimits } from '../auth/input-throttle.js';
import type { OutboundBudget } from './outbound-budget.js';
import type { WebSocketPeer } from './web-socket-peer.js';
import type { ConnectionMeter } from '../metrics/connection-meter.js';

/** What a bound peer delivers its messages to (a Room). */
export interface MessageSink {
  receive(peer: RoomPeer, message: ClientMessage): void;
}

/** Settings and callbacks the same for every peer of a gateway: one object, shared. */
export interface PeerSettings {
  logger: Logger;
  /** Called once, when the socket has closed, with the close code ws reports (1006: no close frame). */
  onClosed: (peer: WebSocketPeer, code: number) => void;
  /** Counts messages, bytes and saved-ack latency (metrics/connection-meter.ts); null: not measured. */
  meter: ConnectionMeter | null;
  /** Outbound bytes allowed to pile up before the reader is judged too slow (closed with 1013). */
  maxBufferedBytes: number;
  /** Longest wait of a saved ack for a message to ride (saved-ack-ride.ts); ACK_RIDE_MS when absent. */
  savedAckRideMs?: number;
  /** The process-wide cap on unsent bytes, told about every write. */
  budget: OutboundBudget;
  /** Messages a connection may send before its document is loaded. */
  maxEarlyMessages: number;
  /** Bytes a connection may send before its document is loaded. */
  maxEarlyBytes: number;
  /** Read-only violations tolerated before the connection is closed (1008). */
  maxRefusedWrites: number;
  /** Awareness state size and id count per connection (the room closes with 1009 / 1008). */
  awarenessLimits: AwarenessLimits;
  /** Changes to other connections' presence tolerated before the connection is closed (1008). */
  maxRefusedAwareness: number;
  throttle: ThrottleLimits;
}

export interface WebSocketPeerOptions {
  ws: WebSocket;
  id: string;
  docName: string;
  canWrite: boolean;
  wantsSaveAck: boolean;
  /** The client declared it sends only its own presence (OWN_PRESENCE_PARAM): it echoes nothing. */
  sendsOwnPresenceOnly: boolean;
  /** The token's subject; null in open mode. */
  subject: string | null;
  /** The token's `name`, shown instead of the client's; null when the token has none. */
  displayName: string | null;
  settings: PeerSettings;
}
