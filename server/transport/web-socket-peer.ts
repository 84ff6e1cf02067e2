/**
 * A RoomPeer over one `ws` WebSocket: frames in → decoded messages to the room, messages out →
 * frames, with the socket's limits enforced here. A bad frame closes this connection only, with
 * the close code of its ProtocolError and one log line.
 *
 * Input is read only when nothing holds it, paced by the rate limits (input-pacer.ts); what comes
 * before the document is loaded waits in a bounded queue (early-messages.ts). Output goes through
 * PeerOutput (peer-output.ts: finished frames, the saved ack riding the next write, awareness
 * echoes remembered); a peer whose queue is over --max-buffered-bytes is closed with 1013.
 *
 * Read-only peers: the room refuses their document changes (decided on the decoded message kind,
 * so an overlong varint type cannot slip through) and reports each one here; past the limit the
 * connection is closed with 1008. The same goes for awareness entries that touch other
 * connections' presence (room-awareness.ts).
 *
 * Idle connections add up, so a peer keeps little: settings are shared (peer-settings.ts), the
 * socket listeners are three functions shared by all peers (the peer is found by its socket), and
 * its logger and refusal counts are made only when first needed. Keepalive needs no 'pong'
 * listener: a fourth listener grew ws's event table on every socket from 160 to 256 bytes, so
 * liveness is read from the bytes the TCP socket has read since the last ping.
 */
import type { RawData, WebSocket } from 'ws';
import type { Logger } from 'pino';
import { CloseCode, MessageType, type CloseCodeValue } from '../../shared/protocol.js';
import { decodeClientMessage, isUpdateMessage, type ClientMessage } from '../protocol/codec.js';
import { ProtocolError } from '../protocol/protocol-error.js';
import type { RoomPeer } from '../room/room-peer.js';
import type { AwarenessLimits } from '../room/awareness-guard.js';
import type { BudgetedPeer } from './outbound-budget.js';
import type { MessageSink, PeerSettings, WebSocketPeerOptions } from './peer-settings.js';
import { EarlyMessages } from './early-messages.js';
import { Hold, InputPacer, type RateKind } from './input-pacer.js';
import { closeAndWaitFor } from './close-handshake.js';
import { RefusalLimits } from './refusal-limits.js';
import { PeerOutput } from './peer-output.js';
import { tcpSocketOf } from './write-frame.js';

const peerBySocket = new WeakMap<WebSocket, WebSocketPeer>();

export class WebSocketPeer implements RoomPeer, BudgetedPeer {
  readonly id: string;
  readonly docName: string;
  readonly canWrite: boolean;
  readonly wantsSaveAck: boolean;
  readonly sendsOwnPresenceOnly: boolean;
  readonly subject: string | null;
  readonly displayName: string | null;
  /** The TCP socket's bytesRead at the last keepalive ping; -1 before it, or once a message came since. */
  #readAtPing = -1;
  readonly #ws: WebSocket;
  readonly #settings: PeerSettings;
  #sink: MessageSink | null = null;
  #early: EarlyMessages | null = new EarlyMessages();
  /** Made at the first refusal: most connections never have one. */
  #refusals: RefusalLimits | null = null;
  #closing = false;
  readonly #input: InputPacer;
  readonly #output: PeerOutput;
  #logger: Logger | null = null;

  constructor(options: WebSocketPeerOptions) {
    this.#settings = options.settings;
    this.#ws = options.ws;
    this.id = options.id;
    this.docName = options.docName;
    this.canWrite = options.canWrite;
    this.wantsSaveAck = options.wantsSaveAck;
    this.sendsOwnPresenceOnly = options.sendsOwnPresenceOnly;
    this.subject = options.subject;
    this.displayName = options.displayName;
    this.#input = new InputPacer(options.ws, options.settings.throttle);
    this.#output = new PeerOutput(options.ws, options.settings, this, !options.sendsOwnPresenceOnly);
    peerBySocket.set(this.#ws, this);
    this.#ws.on('message', WebSocketPeer.#onSocketMessage);
    this.#ws.on('error', WebSocketPeer.#onSocketError);
    this.#ws.on('close', WebSocketPeer.#onSocketClose);
    // Nothing is read until the document is loaded: nothing is answered from an empty document.
    this.#input.hold(Hold.loading);
  }

  // `ws` calls its listeners with the socket as `this`.
  static readonly #onSocketMessage = function (this: WebSocket, data: RawData, isBinary: boolean): void {
    const peer = peerBySocket.get(this);
    if (peer) peer.#onMessage(data, isBinary);
  };

  static readonly #onSocketError = function (this: WebSocket, error: Error): void {
    const peer = peerBySocket.get(this);
    if (peer) peer.log.info({ err: error }, 'websocket error');
  };

  static readonly #onSocketClose = function (this: WebSocket, code: number): void {
    const peer = peerBySocket.get(this);
    if (!peer) return;
    peerBySocket.delete(this);
    peer.#input.clearRateTimer();
    peer.#output.dropWaitingAck();
    peer.#settings.onClosed(peer, code);
  };

  /**
   * This connection's logger: a pino child with `doc` and `connId` bound, so every line about the
   * connection carries them. Made on first use: most connections never log, and idle ones add up.
   */
  get log(): Logger {
    return (this.#logger ??= this.#settings.logger.child({ doc: this.docName, connId: this.id }));
  }

  get awarenessLimits(): AwarenessLimits {
    return this.#settings.awarenessLimits;
  }

  /**
   * Whether the client answered since the last keepalive ping: a message came, or its socket read
   * anything (its pong among it; a pong is read after its ping, so this sees every one a 'pong'
   * listener would).
   */
  get isAlive(): boolean {
    return this.#bytesRead() !== this.#readAtPing;
  }

  /** What the TCP socket has read; 0 without one (then only the first sweep passes it, as without pongs). */
  #bytesRead(): number {
    return tcpSocketOf(this.#ws)?.bytesRead ?? 0;
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
    const early = this.#early?.messages ?? [];
    this.#early = null;
    for (const message of early) sink.receive(this, message);
    this.#input.release(Hold.loading);
  }

  send(message: Uint8Array, onSent?: () => void): void {
    if (this.#mayWrite()) this.#output.send(message, onSent);
    else if (onSent) queueMicrotask(onSent);
  }

  /** Several messages in one socket write (see writeFrames). */
  sendAll(messages: readonly Uint8Array[]): void {
    if (this.#mayWrite()) this.#output.sendAll(messages);
  }

  /** The ack leaves first in the next write to this peer, or alone after a few milliseconds (saved-ack-ride.ts). */
  sendSavedAck(count: number): void {
    if (this.isOpen) this.#output.sendSavedAck(count);
  }

  /** Open, and not holding too much unsent already (then it is closed as too slow). */
  #mayWrite(): boolean {
    if (!this.isOpen) return false;
    // Judge by what is already queued, so one large message (a full document) always fits.
    if (this.#ws.bufferedAmount > this.#settings.maxBufferedBytes) {
      this.#closeFor(CloseCode.tryAgainLater, 'reader too slow', 'outbound buffer full: reader too slow');
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

  close(code: CloseCodeValue, reason: string): void {
    if (this.#closing) return;
    // An ack that is due goes before the close frame (a graceful stop flushes, then closes):
    // without its wait for a ride it would have been sent already.
    this.#output.writeWaitingAck();
    // That write may have put the process over its outbound budget, and this peer was shed.
    if (this.#closing) return;
    this.#closing = true;
    this.#sink = null;
    this.#input.stop();
    this.#ws.close(code, reason);
    // Read again, whatever held input, so the client's close frame arrives and the TCP
    // connection ends now rather than at ws's 30 s close timeout. Messages are ignored from here.
    this.#input.readForClose();
  }

  /** Closes with the handshake, reading again so the client's answer arrives; drops it after `graceMs`. */
  closeAndWait(code: CloseCodeValue, reason: string, graceMs: number): Promise<void> {
    return closeAndWaitFor(this.#ws, () => this.close(code, reason), graceMs);
  }

  /** Drops the TCP connection without a closing handshake (dead peers). */
  terminate(): void {
    this.#closing = true;
    this.#output.dropWaitingAck();
    this.#sink = null;
    this.#input.stop();
    this.#ws.terminate();
  }

  /** The keepalive sweep: a ping, and rate state the connection no longer needs is dropped. */
  ping(): void {
    this.#readAtPing = this.#bytesRead();
    this.#ws.ping();
    this.#input.forgetIfRested();
  }

  /** Room backpressure: its queue for this peer is full. */
  pauseInput(): void {
    this.#input.hold(Hold.room);
  }

  resumeInput(): void {
    this.#input.release(Hold.room);
  }

  /** Shutdown: read nothing more (closeAndWait reads again for the close handshake). */
  stopInput(): void {
    this.#input.hold(Hold.shutdown);
  }

  refusedWrite(): void {
    this.#refusalLimits().refusedWrite();
  }

  refusedAwareness(count: number): void {
    this.#refusalLimits().refusedAwareness(count);
  }

  #refusalLimits(): RefusalLimits {
    return (this.#refusals ??= new RefusalLimits(this.#settings, (code, reason, msg) => this.#closeFor(code, reason, msg)));
  }

  #onMessage(data: RawData, isBinary: boolean): void {
    // Alive, even if its bytes were read before the ping and held while input was paused.
    this.#readAtPing = -1;
    if (this.#closing) return;
    if (!isBinary) {
      this.#closeFor(CloseCode.unsupportedData, 'binary frames only', 'text frame refused');
      return;
    }
    // An echo is byte-identical to an awareness message we encoded and sent, so it is known
    // well-formed without decoding; and it repeats states at clocks the room has passed, so it
    // would change nothing. In a hot document every presence frame comes back from every peer:
    // decoding those (a JSON.parse per state) was the largest cost of presence.
    // (The first-byte test only skips the lookup for other frames; equality is what decides.)
    if (this.#output.awaitsEchoes && (data as Buffer)[0] === MessageType.awareness && this.#takeEcho(data as Buffer)) return;
    let message: ClientMessage;
    try {
      message = decodeClientMessage(data as Buffer);
    } catch (error) {
      const refused = error instanceof ProtocolError ? error : new ProtocolError('malformed-message', String(error));
      this.#closeFor(refused.closeCode, refused.code, refused.message, refused.code);
      return;
    }
    const meter = this.#settings.meter;
    if (meter) {
      meter.received(message.kind, (data as Buffer).length);
      // Only writers' updates are acknowledged: read-only ones are refused, not counted.
      if (this.wantsSaveAck && this.canWrite && isUpdateMessage(message)) this.#output.noteAckable();
    }
    this.#charge((data as Buffer).length, message.kind === 'query-awareness' || message.kind === 'awareness' ? 'awareness' : 'other');
    if (this.#closing) return;
    if (this.#sink) {
      this.#sink.receive(this, message);
      return;
    }
    if (!(this.#early ??= new EarlyMessages()).add(message, (data as Buffer).length, this.#settings)) {
      this.#closeFor(CloseCode.tryAgainLater, 'too many early messages', 'too much sent before the document loaded');
    }
  }

  /** True (and charged as an echo) when `frame` repeats an awareness message sent to this peer. */
  #takeEcho(frame: Buffer): boolean {
    if (!this.#output.takeEcho(frame)) return false;
    this.#settings.meter?.received('awareness', frame.length);
    this.#charge(frame.length, 'echo');
    return true;
  }

  #charge(bytes: number, kind: RateKind): void {
    const verdict = this.#input.charge(bytes, kind);
    if (verdict === 'abusive') {
      this.#closeFor(CloseCode.rateLimited, 'rate limited', 'rate limits exceeded for too long');
    } else if (verdict === 'first-pause') {
      this.#log('info', CloseCode.rateLimited, 'sending faster than the rate limits: pausing reads');
    }
  }

  /** Logs why (a warning; `logReason` is a ProtocolError's code) and closes with `code` and `reason`. */
  #closeFor(code: CloseCodeValue, reason: string, msg: string, logReason?: string): void {
    this.#log('warn', code, msg, logReason);
    this.close(code, reason);
  }

  #log(level: 'warn' | 'info', code: number, msg: string, reason?: string): void {
    this.log[level]({ code, ...(reason ? { reason } : {}) }, msg);
  }
}
