/**
 * A RoomPeer over one `ws` WebSocket: the socket itself (its listeners, keepalive, close and
 * terminate) and messages out → frames, with the output limit enforced here. Frames in → decoded
 * messages to the room are the input half this class extends (peer-input.ts), where a bad frame
 * closes the connection.
 *
 * Output goes through PeerOutput (peer-output.ts: finished frames, the saved ack riding the next
 * write, awareness echoes remembered); a peer whose queue is over --max-buffered-bytes is closed
 * with 1013, and one the process-wide budget sheds is terminated (outbound-budget.ts).
 *
 * Idle connections add up, so a peer keeps little: settings are shared (peer-settings.ts), the
 * socket listeners are three functions shared by all peers (the peer is found by its socket), and
 * its logger and refusal counts are made only when first needed. Keepalive needs no 'pong'
 * listener: a fourth listener grew ws's event table on every socket from 160 to 256 bytes, so
 * liveness is read from the bytes the TCP socket has read since the last ping.
 */
import type { RawData, WebSocket } from 'ws';
import type { Logger } from 'pino';
import { CloseCode, type CloseCodeValue } from '../../shared/protocol.js';
import type { RoomPeer } from '../room/room-peer.js';
import type { AwarenessLimits } from '../room/awareness-guard.js';
import type { BudgetedPeer } from './outbound-budget.js';
import type { PeerSettings, WebSocketPeerOptions } from './peer-settings.js';
import { Hold, InputPacer } from './input-pacer.js';
import { closeAndWaitFor } from './close-handshake.js';
import { PeerInput } from './peer-input.js';
import { PeerOutput } from './peer-output.js';
import { tcpSocketOf } from './write-frame.js';

const peerBySocket = new WeakMap<WebSocket, WebSocketPeer>();

export class WebSocketPeer extends PeerInput implements RoomPeer, BudgetedPeer {
  readonly id: string;
  readonly docName: string;
  override readonly canWrite: boolean;
  override readonly wantsSaveAck: boolean;
  readonly sendsOwnPresenceOnly: boolean;
  readonly subject: string | null;
  readonly displayName: string | null;
  /** The TCP socket's bytesRead at the last keepalive ping; -1 before it, or once a message came since. */
  protected override readAtPing = -1;
  readonly #ws: WebSocket;
  protected override readonly settings: PeerSettings;
  protected override closing = false;
  protected override readonly input: InputPacer;
  protected override readonly output: PeerOutput;
  #logger: Logger | null = null;

  constructor(options: WebSocketPeerOptions) {
    super();
    this.settings = options.settings;
    this.#ws = options.ws;
    this.id = options.id;
    this.docName = options.docName;
    this.canWrite = options.canWrite;
    this.wantsSaveAck = options.wantsSaveAck;
    this.sendsOwnPresenceOnly = options.sendsOwnPresenceOnly;
    this.subject = options.subject;
    this.displayName = options.displayName;
    this.input = new InputPacer(options.ws, options.settings.throttle);
    this.output = new PeerOutput(options.ws, options.settings, this, !options.sendsOwnPresenceOnly);
    peerBySocket.set(this.#ws, this);
    this.#ws.on('message', WebSocketPeer.#onSocketMessage);
    this.#ws.on('error', WebSocketPeer.#onSocketError);
    this.#ws.on('close', WebSocketPeer.#onSocketClose);
    // Nothing is read until the document is loaded: nothing is answered from an empty document.
    this.input.hold(Hold.loading);
  }

  // `ws` calls its listeners with the socket as `this`.
  static readonly #onSocketMessage = function (this: WebSocket, data: RawData, isBinary: boolean): void {
    const peer = peerBySocket.get(this);
    if (peer) peer.receiveFrame(data, isBinary);
  };

  static readonly #onSocketError = function (this: WebSocket, error: Error): void {
    const peer = peerBySocket.get(this);
    if (peer) peer.log.info({ err: error }, 'websocket error');
  };

  static readonly #onSocketClose = function (this: WebSocket, code: number): void {
    const peer = peerBySocket.get(this);
    if (!peer) return;
    peerBySocket.delete(this);
    peer.input.clearRateTimer();
    peer.output.dropWaitingAck();
    peer.settings.onClosed(peer, code);
  };

  /**
   * This connection's logger: a pino child with `doc` and `connId` bound, so every line about the
   * connection carries them. Made on first use: most connections never log, and idle ones add up.
   */
  override get log(): Logger {
    return (this.#logger ??= this.settings.logger.child({ doc: this.docName, connId: this.id }));
  }

  get awarenessLimits(): AwarenessLimits {
    return this.settings.awarenessLimits;
  }

  /**
   * Whether the client answered since the last keepalive ping: a message came, or its socket read
   * anything (its pong among it; a pong is read after its ping, so this sees every one a 'pong'
   * listener would).
   */
  get isAlive(): boolean {
    return bytesReadBy(this.#ws) !== this.readAtPing;
  }

  get isOpen(): boolean {
    return !this.closing && this.#ws.readyState === this.#ws.OPEN;
  }

  /** Bytes queued for this client and not yet handed to the kernel (ws's bufferedAmount). */
  get unsentBytes(): number {
    return this.#ws.bufferedAmount;
  }

  send(message: Uint8Array, onSent?: () => void): void {
    if (WebSocketPeer.#mayWrite(this)) this.output.send(message, onSent);
    else if (onSent) queueMicrotask(onSent);
  }

  /** Several messages in one socket write (see writeFrames). */
  sendAll(messages: readonly Uint8Array[]): void {
    if (WebSocketPeer.#mayWrite(this)) this.output.sendAll(messages);
  }

  /** The ack leaves first in the next write to this peer, or alone after a few milliseconds (saved-ack-ride.ts). */
  sendSavedAck(count: number): void {
    if (this.isOpen) this.output.sendSavedAck(count);
  }

  /**
   * Open, and not holding too much unsent already (then it is closed as too slow). Static, like
   * the listeners: a class with private instance methods stamps every instance with a brand (8
   * bytes), and PeerInput's already do.
   */
  static #mayWrite(peer: WebSocketPeer): boolean {
    if (!peer.isOpen) return false;
    // Judge by what is already queued, so one large message (a full document) always fits.
    if (peer.#ws.bufferedAmount > peer.settings.maxBufferedBytes) {
      peer.closeFor(CloseCode.tryAgainLater, 'reader too slow', 'outbound buffer full: reader too slow');
      return false;
    }
    return true;
  }

  /** Over the process-wide budget and among the biggest holders: dropped now (see outbound-budget.ts). */
  shed(unsentBytes: number): void {
    if (this.#ws.readyState === this.#ws.CLOSED) return;
    this.log.warn(
      { code: CloseCode.tryAgainLater, unsentBytes },
      'unsent bytes of all connections over --max-total-buffered-bytes: dropping this reader, among those holding the most',
    );
    this.terminate();
  }

  override close(code: CloseCodeValue, reason: string): void {
    if (this.closing) return;
    // An ack that is due goes before the close frame (a graceful stop flushes, then closes):
    // without its wait for a ride it would have been sent already.
    this.output.writeWaitingAck();
    // That write may have put the process over its outbound budget, and this peer was shed.
    if (this.closing) return;
    this.closing = true;
    this.endInput();
    this.#ws.close(code, reason);
    // Read again, whatever held input, so the client's close frame arrives and the TCP
    // connection ends now rather than at ws's 30 s close timeout. Messages are ignored from here.
    this.input.readForClose();
  }

  /** Closes with the handshake, reading again so the client's answer arrives; drops it after `graceMs`. */
  closeAndWait(code: CloseCodeValue, reason: string, graceMs: number): Promise<void> {
    return closeAndWaitFor(this.#ws, () => this.close(code, reason), graceMs);
  }

  /** Drops the TCP connection without a closing handshake (dead peers). */
  terminate(): void {
    this.closing = true;
    this.output.dropWaitingAck();
    this.endInput();
    this.#ws.terminate();
  }

  /** The keepalive sweep: a ping, and rate state the connection no longer needs is dropped. */
  ping(): void {
    this.readAtPing = bytesReadBy(this.#ws);
    this.#ws.ping();
    this.input.forgetIfRested();
  }
}

/** What the TCP socket has read; 0 without one (then only the first sweep passes it, as without pongs). */
function bytesReadBy(ws: WebSocket): number {
  return tcpSocketOf(ws)?.bytesRead ?? 0;
}
