/**
 * A RoomPeer over one `ws` WebSocket: frames in → decoded messages to the room, messages out →
 * frames, with the socket's limits enforced here. A bad frame closes this connection only, with
 * the close code of its ProtocolError and one log line.
 */
import type { RawData, WebSocket } from 'ws';
import type { Logger } from 'pino';
import { CloseCode, type CloseCodeValue } from '../../shared/protocol.js';
import { decodeClientMessage, type ClientMessage } from '../protocol/codec.js';
import { ProtocolError } from '../protocol/protocol-error.js';
import type { RoomPeer } from '../room/room-peer.js';

export interface WebSocketPeerOptions {
  ws: WebSocket;
  id: string;
  docName: string;
  canWrite: boolean;
  wantsSaveAck: boolean;
  logger: Logger;
  /** Outbound bytes allowed to pile up before the reader is judged too slow (closed with 1013). */
  maxBufferedBytes: number;
  /** Messages a connection may send before its document is loaded. */
  maxEarlyMessages: number;
  /** Read-only violations tolerated before the connection is closed (1008). */
  maxRefusedWrites: number;
}

export class WebSocketPeer implements RoomPeer {
  readonly id: string;
  readonly docName: string;
  readonly canWrite: boolean;
  readonly wantsSaveAck: boolean;
  /** Cleared by each keepalive ping, set by any pong or message. */
  isAlive = true;
  readonly #ws: WebSocket;
  readonly #options: WebSocketPeerOptions;
  #deliver: ((message: ClientMessage) => void) | null = null;
  #early: ClientMessage[] = [];
  #refusedWrites = 0;
  #closing = false;

  constructor(options: WebSocketPeerOptions) {
    this.#options = options;
    this.#ws = options.ws;
    this.id = options.id;
    this.docName = options.docName;
    this.canWrite = options.canWrite;
    this.wantsSaveAck = options.wantsSaveAck;
    this.#ws.on('message', this.#onMessage);
    this.#ws.on('pong', () => {
      this.isAlive = true;
    });
  }

  get isOpen(): boolean {
    return !this.#closing && this.#ws.readyState === this.#ws.OPEN;
  }

  /** Starts delivering messages to the room, the early ones first, in order. */
  bind(deliver: (message: ClientMessage) => void): void {
    this.#deliver = deliver;
    const early = this.#early;
    this.#early = [];
    for (const message of early) deliver(message);
    this.resumeInput();
  }

  send(message: Uint8Array): void {
    if (!this.isOpen) return;
    // Judge by what is already queued, so one large message (a full document) always fits.
    if (this.#ws.bufferedAmount > this.#options.maxBufferedBytes) {
      this.#log('warn', CloseCode.tryAgainLater, 'outbound buffer full: reader too slow');
      this.close(CloseCode.tryAgainLater, 'reader too slow');
      return;
    }
    this.#ws.send(message);
  }

  close(code: CloseCodeValue, reason: string): void {
    if (this.#closing) return;
    this.#closing = true;
    this.#deliver = null;
    this.#ws.close(code, reason);
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
      this.resumeInput();
    });
  }

  /** Drops the TCP connection without a closing handshake (dead peers). */
  terminate(): void {
    this.#closing = true;
    this.#deliver = null;
    this.#ws.terminate();
  }

  ping(): void {
    this.isAlive = false;
    this.#ws.ping();
  }

  pauseInput(): void {
    this.#ws.pause();
  }

  resumeInput(): void {
    this.#ws.resume();
  }

  refusedWrite(): void {
    this.#refusedWrites++;
    if (this.#refusedWrites > this.#options.maxRefusedWrites) {
      this.#log('warn', CloseCode.policyViolation, 'read-only connection kept sending document changes');
      this.close(CloseCode.policyViolation, 'read-only');
    }
  }

  readonly #onMessage = (data: RawData, isBinary: boolean): void => {
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
    if (this.#deliver) {
      this.#deliver(message);
      return;
    }
    this.#early.push(message);
    if (this.#early.length > this.#options.maxEarlyMessages) {
      this.#log('warn', CloseCode.tryAgainLater, 'too many messages before the document loaded');
      this.close(CloseCode.tryAgainLater, 'too many early messages');
    }
  };

  #log(level: 'warn' | 'info', code: number, msg: string, reason?: string): void {
    this.#options.logger[level]({ doc: this.docName, connId: this.id, code, ...(reason ? { reason } : {}) }, msg);
  }
}
