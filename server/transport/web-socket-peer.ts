/**
 * A RoomPeer over one `ws` WebSocket: frames in → decoded messages to the room, messages out →
 * frames, with the socket's limits enforced here. A bad frame closes this connection only, with
 * the close code of its ProtocolError and one log line.
 *
 * Input is paused for several independent reasons (document still loading, room queue full,
 * rate limit, shutdown); reading resumes only when none holds. Rate limits never drop a message:
 * they pause reading, and only a sender held back for too long is closed (4429).
 *
 * Stock y-websocket clients send every awareness change they receive straight back. Those echoes
 * (byte-identical to an awareness message we sent this peer recently) change nothing in the room,
 * so they count only towards the byte rate, or busy rooms would throttle every member.
 *
 * Output: a peer whose queue is over --max-buffered-bytes is closed with 1013; every write also
 * reports the queue to the process-wide OutboundBudget, which drops the biggest holders when all
 * queues together are over --max-total-buffered-bytes.
 *
 * Read-only peers: the room refuses their document changes (decided on the decoded message kind,
 * so an overlong varint type cannot slip through) and reports each one here; past the limit the
 * connection is closed with 1008. The same goes for awareness entries that touch other
 * connections' presence (room-awareness.ts).
 *
 * Idle connections add up (10,000 per process is ordinary), so what a peer keeps is kept small:
 * limits, logger and the close callback live in one object shared by every peer of a gateway, and
 * the socket listeners are four functions shared by all peers (the peer is found by its socket)
 * instead of closures per connection.
 */
import type { Socket } from 'node:net';
import type { RawData, WebSocket } from 'ws';
import type { Logger } from 'pino';
import { CloseCode, MessageType, type CloseCodeValue } from '../../shared/protocol.js';
import { decodeClientMessage, type ClientMessage } from '../protocol/codec.js';
import { ProtocolError } from '../protocol/protocol-error.js';
import type { RoomPeer } from '../room/room-peer.js';
import type { AwarenessLimits } from '../room/awareness-guard.js';
import { InputThrottle, type ThrottleLimits } from '../auth/input-throttle.js';
import { binaryFrameOf } from './binary-frame.js';
import type { BudgetedPeer, OutboundBudget } from './outbound-budget.js';
import { beforeWrite } from './turn-cork.js';

/** What a bound peer delivers its messages to (a Room). */
export interface MessageSink {
  receive(peer: RoomPeer, message: ClientMessage): void;
}

/** Settings and callbacks the same for every peer of a gateway: one object, shared. */
export interface PeerSettings {
  logger: Logger;
  /** Called once, when the socket has closed. */
  onClosed: (peer: WebSocketPeer) => void;
  /** Outbound bytes allowed to pile up before the reader is judged too slow (closed with 1013). */
  maxBufferedBytes: number;
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
  /** The token's subject; null in open mode. */
  subject: string | null;
  /** The token's `name`, shown instead of the client's; null when the token has none. */
  displayName: string | null;
  settings: PeerSettings;
}

/** Reasons to stop reading, as bits: a peer holds a number, not a Set (idle connections add up). */
const Hold = { loading: 1, room: 2, rate: 4, shutdown: 8 } as const;
type Hold = (typeof Hold)[keyof typeof Hold];

/** Awareness messages sent to a peer that it may echo back; older ones are forgotten. */
const RECENT_AWARENESS = 128;
// Rooms encode one broadcast for all peers: compute its key once.
const awarenessKeys = new WeakMap<Uint8Array, string>();

function awarenessKey(bytes: Uint8Array): string {
  let key = awarenessKeys.get(bytes);
  if (key === undefined) {
    key = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
    awarenessKeys.set(bytes, key);
  }
  return key;
}

/** The TCP socket under a `ws` WebSocket (`_socket`: not public API, stable across ws 8). */
function tcpSocketOf(ws: WebSocket): Socket | undefined {
  return (ws as unknown as { _socket?: Socket })._socket;
}

const peerBySocket = new WeakMap<WebSocket, WebSocketPeer>();

export class WebSocketPeer implements RoomPeer, BudgetedPeer {
  readonly id: string;
  readonly docName: string;
  readonly canWrite: boolean;
  readonly wantsSaveAck: boolean;
  readonly subject: string | null;
  readonly displayName: string | null;
  /** Cleared by each keepalive ping, set by any pong or message. */
  isAlive = true;
  readonly #ws: WebSocket;
  readonly #settings: PeerSettings;
  #sink: MessageSink | null = null;
  #early: ClientMessage[] | null = [];
  #earlyBytes = 0;
  #refusedWrites = 0;
  #refusedAwareness = 0;
  #closing = false;
  #holds = 0;
  readonly #throttle: InputThrottle;
  #rateTimer: NodeJS.Timeout | null = null;
  #loggedThrottle = false;
  /** Awareness messages sent and not echoed yet; null when there are none (the usual idle state). */
  #sentAwareness: Set<string> | null = null;
  /** See turn-cork.ts: the turn this peer's socket was last written in. */
  #lastWriteTurn = 0;

  constructor(options: WebSocketPeerOptions) {
    this.#settings = options.settings;
    this.#ws = options.ws;
    this.id = options.id;
    this.docName = options.docName;
    this.canWrite = options.canWrite;
    this.wantsSaveAck = options.wantsSaveAck;
    this.subject = options.subject;
    this.displayName = options.displayName;
    this.#throttle = new InputThrottle(options.settings.throttle);
    peerBySocket.set(this.#ws, this);
    this.#ws.on('message', WebSocketPeer.#onSocketMessage);
    this.#ws.on('pong', WebSocketPeer.#onSocketPong);
    this.#ws.on('error', WebSocketPeer.#onSocketError);
    this.#ws.on('close', WebSocketPeer.#onSocketClose);
    // Nothing is read until the document is loaded: nothing is answered from an empty document.
    this.#hold(Hold.loading);
  }

  // `ws` calls its listeners with the socket as `this`.
  static readonly #onSocketMessage = function (this: WebSocket, data: RawData, isBinary: boolean): void {
    const peer = peerBySocket.get(this);
    if (peer) peer.#onMessage(data, isBinary);
  };

  static readonly #onSocketPong = function (this: WebSocket): void {
    const peer = peerBySocket.get(this);
    if (peer) peer.isAlive = true;
  };

  static readonly #onSocketError = function (this: WebSocket, error: Error): void {
    const peer = peerBySocket.get(this);
    if (peer) peer.#settings.logger.info({ doc: peer.docName, connId: peer.id, err: error }, 'websocket error');
  };

  static readonly #onSocketClose = function (this: WebSocket): void {
    const peer = peerBySocket.get(this);
    if (!peer) return;
    peerBySocket.delete(this);
    peer.#clearRateTimer();
    peer.#settings.onClosed(peer);
  };

  get awarenessLimits(): AwarenessLimits {
    return this.#settings.awarenessLimits;
  }

  get isOpen(): boolean {
    return !this.#closing && this.#ws.readyState === this.#ws.OPEN;
  }

  /** Bytes queued for this client and not yet handed to the kernel (ws's bufferedAmount). */
  get unsentBytes(): number {
    return this.#ws.bufferedAmount;
  }

  /** Starts delivering messages to the room, the early ones first, in order. */
  bind(sink: MessageSink): void {
    this.#sink = sink;
    const early = this.#early ?? [];
    this.#early = null;
    this.#earlyBytes = 0;
    for (const message of early) sink.receive(this, message);
    this.#release(Hold.loading);
  }

  send(message: Uint8Array, onSent?: () => void): void {
    if (!this.isOpen) {
      if (onSent) queueMicrotask(onSent);
      return;
    }
    // Judge by what is already queued, so one large message (a full document) always fits.
    if (this.#ws.bufferedAmount > this.#settings.maxBufferedBytes) {
      this.#log('warn', CloseCode.tryAgainLater, 'outbound buffer full: reader too slow');
      this.close(CloseCode.tryAgainLater, 'reader too slow');
      if (onSent) queueMicrotask(onSent);
      return;
    }
    if (message[0] === MessageType.awareness) this.#rememberAwareness(message);
    const socket = tcpSocketOf(this.#ws);
    if (!socket) {
      this.#ws.send(message, onSent);
    } else {
      this.#lastWriteTurn = beforeWrite(socket, this.#lastWriteTurn);
      // Node calls a write's callback once the bytes are written, or with an error if the socket
      // is destroyed first: either way exactly once.
      const [first, second] = binaryFrameOf(message);
      if (second) {
        socket.write(first);
        socket.write(second, onSent);
      } else {
        socket.write(first, onSent);
      }
    }
    this.#settings.budget.noteWrite(this, this.#ws.bufferedAmount);
  }

  /** Over the process-wide budget and among the biggest holders: dropped now (see outbound-budget.ts). */
  shed(unsentBytes: number): void {
    if (this.#ws.readyState === this.#ws.CLOSED) return;
    this.#settings.logger.warn(
      { doc: this.docName, connId: this.id, code: CloseCode.tryAgainLater, unsentBytes },
      'unsent bytes of all connections over --max-total-buffered-bytes: dropping this reader, among those holding the most',
    );
    this.terminate();
  }

  close(code: CloseCodeValue, reason: string): void {
    if (this.#closing) return;
    this.#closing = true;
    this.#sink = null;
    this.#clearRateTimer();
    this.#ws.close(code, reason);
    // Read again, whatever held input, so the client's close frame arrives and the TCP
    // connection ends now rather than at ws's 30 s close timeout. Messages are ignored from here.
    this.#holds = 0;
    this.#ws.resume();
  }

  /** Closes with the handshake, reading again so the client's answer arrives; drops it after `graceMs`. */
  closeAndWait(code: CloseCodeValue, reason: string, graceMs: number): Promise<void> {
    if (this.#ws.readyState === this.#ws.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.#ws.terminate(), graceMs);
      this.#ws.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      this.close(code, reason);
    });
  }

  /** Drops the TCP connection without a closing handshake (dead peers). */
  terminate(): void {
    this.#closing = true;
    this.#sink = null;
    this.#clearRateTimer();
    this.#ws.terminate();
  }

  ping(): void {
    this.isAlive = false;
    this.#ws.ping();
  }

  /** Room backpressure: its queue for this peer is full. */
  pauseInput(): void {
    this.#hold(Hold.room);
  }

  resumeInput(): void {
    this.#release(Hold.room);
  }

  /** Shutdown: read nothing more (closeAndWait reads again for the close handshake). */
  stopInput(): void {
    this.#hold(Hold.shutdown);
  }

  refusedWrite(): void {
    this.#refusedWrites++;
    if (this.#refusedWrites > this.#settings.maxRefusedWrites) {
      this.#log('warn', CloseCode.policyViolation, 'read-only connection kept sending document changes');
      this.close(CloseCode.policyViolation, 'read-only');
    }
  }

  refusedAwareness(count: number): void {
    this.#refusedAwareness += count;
    if (this.#refusedAwareness > this.#settings.maxRefusedAwareness) {
      this.#log('warn', CloseCode.policyViolation, "connection kept changing other connections' presence");
      this.close(CloseCode.policyViolation, 'presence of others');
    }
  }

  #onMessage(data: RawData, isBinary: boolean): void {
    this.isAlive = true;
    if (this.#closing) return;
    if (!isBinary) {
      this.#log('warn', CloseCode.unsupportedData, 'text frame refused');
      this.close(CloseCode.unsupportedData, 'binary frames only');
      return;
    }
    let message: ClientMessage;
    try {
      message = decodeClientMessage(data as Buffer);
    } catch (error) {
      const refused = error instanceof ProtocolError ? error : new ProtocolError('malformed-message', String(error));
      this.#log('warn', refused.closeCode, refused.message, refused.code);
      this.close(refused.closeCode, refused.code);
      return;
    }
    this.#charge((data as Buffer).length, this.#rateKind(message, data as Buffer));
    if (this.#closing) return;
    if (this.#sink) {
      this.#sink.receive(this, message);
      return;
    }
    (this.#early ??= []).push(message);
    this.#earlyBytes += (data as Buffer).length;
    if (this.#early.length > this.#settings.maxEarlyMessages || this.#earlyBytes > this.#settings.maxEarlyBytes) {
      this.#log('warn', CloseCode.tryAgainLater, 'too much sent before the document loaded');
      this.close(CloseCode.tryAgainLater, 'too many early messages');
    }
  }

  /** Awareness and query-awareness share the awareness rate; echoes of what we sent cost only bytes. */
  #rateKind(message: ClientMessage, frame: Buffer): 'awareness' | 'echo' | 'other' {
    if (message.kind === 'query-awareness') return 'awareness';
    if (message.kind !== 'awareness') return 'other';
    return this.#isEcho(frame) ? 'echo' : 'awareness';
  }

  #rememberAwareness(message: Uint8Array): void {
    const key = awarenessKey(message);
    const sent = (this.#sentAwareness ??= new Set());
    sent.delete(key);
    sent.add(key);
    if (sent.size > RECENT_AWARENESS) sent.delete(sent.values().next().value!);
  }

  #isEcho(frame: Buffer): boolean {
    if (!this.#sentAwareness || this.#sentAwareness.size === 0) return false;
    const key = frame.toString('latin1');
    // Each message we sent excuses one echo.
    const isEcho = this.#sentAwareness.delete(key);
    if (this.#sentAwareness.size === 0) this.#sentAwareness = null;
    return isEcho;
  }

  #charge(bytes: number, kind: 'awareness' | 'echo' | 'other'): void {
    const wait = this.#throttle.charge(bytes, kind);
    if (wait === 0) return;
    if (this.#throttle.isAbusive) {
      this.#log('warn', CloseCode.rateLimited, 'rate limits exceeded for too long');
      this.close(CloseCode.rateLimited, 'rate limited');
      return;
    }
    if (!this.#loggedThrottle) {
      this.#loggedThrottle = true;
      this.#log('info', CloseCode.rateLimited, 'sending faster than the rate limits: pausing reads');
    }
    if (this.#rateTimer === null) this.#pauseForRate(wait);
  }

  #pauseForRate(ms: number): void {
    this.#hold(Hold.rate);
    this.#rateTimer = setTimeout(() => {
      this.#rateTimer = null;
      // Messages already buffered when we paused were charged meanwhile: wait for those too.
      const more = this.#throttle.waitMs();
      if (more > 0 && !this.#closing) this.#pauseForRate(more);
      else this.#release(Hold.rate);
    }, ms);
  }

  #clearRateTimer(): void {
    if (this.#rateTimer !== null) clearTimeout(this.#rateTimer);
    this.#rateTimer = null;
  }

  #hold(reason: Hold): void {
    this.#holds |= reason;
    this.#ws.pause();
  }

  #release(reason: Hold): void {
    this.#holds &= ~reason;
    if (this.#holds === 0 && !this.#closing) this.#ws.resume();
  }

  #log(level: 'warn' | 'info', code: number, msg: string, reason?: string): void {
    this.#settings.logger[level]({ doc: this.docName, connId: this.id, code, ...(reason ? { reason } : {}) }, msg);
  }
}
