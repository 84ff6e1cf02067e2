/**
 * The input half of a WebSocketPeer: binary frames in → decoded messages to the room. Each frame
 * is decoded, metered and charged to the rate limits; what comes before the document is loaded
 * waits in a bounded queue (early-messages.ts) and reaches the room, in order, once it binds. A
 * bad frame closes this connection only, with the close code of its ProtocolError and one log line.
 *
 * Input is read only when nothing holds it (the load, the room's backpressure, shutdown), paced by
 * the rate limits (input-pacer.ts). An awareness echo is charged and dropped before decoding.
 *
 * Read-only peers: the room refuses their document changes (decided on the decoded message kind,
 * so an overlong varint type cannot slip through) and reports each one here; past the limit the
 * connection is closed with 1008. The same goes for awareness entries that touch other
 * connections' presence (room-awareness.ts).
 *
 * A base class of WebSocketPeer rather than an object it holds (as it holds PeerOutput): every
 * frame takes this path, which then reads the peer's own fields with no hop through a second
 * object, and an idle connection keeps no second object pointing back at the first (idle
 * connections add up: web-socket-peer.ts). What it needs of the socket's half is declared
 * abstract below.
 */
import type { RawData } from 'ws';
import type { Logger } from 'pino';
import { CloseCode, MessageType, type CloseCodeValue } from '../../shared/protocol.js';
import { decodeClientMessage, isUpdateMessage, type ClientMessage } from '../protocol/codec.js';
import { ProtocolError } from '../protocol/protocol-error.js';
import type { RoomPeer } from '../room/room-peer.js';
import type { MessageSink, PeerSettings } from './peer-settings.js';
import { EarlyMessages } from './early-messages.js';
import { Hold, type InputPacer, type RateKind } from './input-pacer.js';
import { RefusalLimits } from './refusal-limits.js';
import type { PeerOutput } from './peer-output.js';

export abstract class PeerInput {
  // What this half needs of the socket's half (web-socket-peer.ts), which owns these.
  abstract readonly canWrite: boolean;
  abstract readonly wantsSaveAck: boolean;
  abstract get log(): Logger;
  protected abstract readonly settings: PeerSettings;
  protected abstract readonly input: InputPacer;
  /** For awareness echoes, and the saved-ack latency. */
  protected abstract readonly output: PeerOutput;
  /** Set by close or terminate: messages are ignored from then on. */
  protected abstract readonly closing: boolean;
  /** The keepalive mark (see WebSocketPeer.isAlive): a message resets it. */
  protected abstract readAtPing: number;
  abstract close(code: CloseCodeValue, reason: string): void;

  #sink: MessageSink | null = null;
  #early: EarlyMessages | null = new EarlyMessages();
  /** Made at the first refusal: most connections never have one. */
  #refusals: RefusalLimits | null = null;

  /** Starts delivering messages to the room, the early ones first, in order. */
  bind(this: PeerInput & RoomPeer, sink: MessageSink): void {
    this.#sink = sink;
    const early = this.#early?.messages ?? [];
    this.#early = null;
    for (const message of early) sink.receive(this, message);
    this.input.release(Hold.loading);
  }

  /** Room backpressure: its queue for this peer is full. */
  pauseInput(): void {
    this.input.hold(Hold.room);
  }

  resumeInput(): void {
    this.input.release(Hold.room);
  }

  /** Shutdown: read nothing more (closeAndWait reads again for the close handshake). */
  stopInput(): void {
    this.input.hold(Hold.shutdown);
  }

  refusedWrite(): void {
    this.#refusalLimits().refusedWrite();
  }

  refusedAwareness(count: number): void {
    this.#refusalLimits().refusedAwareness(count);
  }

  #refusalLimits(): RefusalLimits {
    return (this.#refusals ??= new RefusalLimits(this.settings, (code, reason, msg) => this.closeFor(code, reason, msg)));
  }

  /** The connection is closing: nothing more reaches the room, and no rate pause resumes reading. */
  protected endInput(): void {
    this.#sink = null;
    this.input.stop();
  }

  /**
   * One frame from the socket (WebSocketPeer's shared 'message' listener). `this` is the whole
   * peer, the RoomPeer the room is handed with each message.
   */
  protected receiveFrame(this: PeerInput & RoomPeer, data: RawData, isBinary: boolean): void {
    // Alive, even if its bytes were read before the ping and held while input was paused.
    this.readAtPing = -1;
    if (this.closing) return;
    if (!isBinary) {
      this.closeFor(CloseCode.unsupportedData, 'binary frames only', 'text frame refused');
      return;
    }
    // An echo is byte-identical to an awareness message we encoded and sent, so it is known
    // well-formed without decoding; and it repeats states at clocks the room has passed, so it
    // would change nothing. In a hot document every presence frame comes back from every peer:
    // decoding those (a JSON.parse per state) was the largest cost of presence.
    // (The first-byte test only skips the lookup for other frames; equality is what decides.)
    if (this.output.awaitsEchoes && (data as Buffer)[0] === MessageType.awareness && this.#takeEcho(data as Buffer)) return;
    let message: ClientMessage;
    try {
      message = decodeClientMessage(data as Buffer);
    } catch (error) {
      const refused = error instanceof ProtocolError ? error : new ProtocolError('malformed-message', String(error));
      this.closeFor(refused.closeCode, refused.code, refused.message, refused.code);
      return;
    }
    const meter = this.settings.meter;
    if (meter) {
      meter.received(message.kind, (data as Buffer).length);
      // Only writers' updates are acknowledged: read-only ones are refused, not counted.
      if (this.wantsSaveAck && this.canWrite && isUpdateMessage(message)) this.output.noteAckable();
    }
    this.#charge((data as Buffer).length, message.kind === 'query-awareness' || message.kind === 'awareness' ? 'awareness' : 'other');
    if (this.closing) return;
    if (this.#sink) {
      this.#sink.receive(this, message);
      return;
    }
    if (!(this.#early ??= new EarlyMessages()).add(message, (data as Buffer).length, this.settings)) {
      this.closeFor(CloseCode.tryAgainLater, 'too many early messages', 'too much sent before the document loaded');
    }
  }

  /** True (and charged as an echo) when `frame` repeats an awareness message sent to this peer. */
  #takeEcho(frame: Buffer): boolean {
    if (!this.output.takeEcho(frame)) return false;
    this.settings.meter?.received('awareness', frame.length);
    this.#charge(frame.length, 'echo');
    return true;
  }

  #charge(bytes: number, kind: RateKind): void {
    const verdict = this.input.charge(bytes, kind);
    if (verdict === 'abusive') {
      this.closeFor(CloseCode.rateLimited, 'rate limited', 'rate limits exceeded for too long');
    } else if (verdict === 'first-pause') {
      this.log.info({ code: CloseCode.rateLimited }, 'sending faster than the rate limits: pausing reads');
    }
  }

  /** Logs why (a warning; `logReason` is a ProtocolError's code) and closes with `code` and `reason`. */
  protected closeFor(code: CloseCodeValue, reason: string, msg: string, logReason?: string): void {
    this.log.warn({ code, ...(logReason ? { reason: logReason } : {}) }, msg);
    this.close(code, reason);
  }
}
