/**
 * A RoomPeer over the HTTP fallback transport: messages come in by POST (already decoded and
 * checked by the route), messages go out as numbered records on a streamed response, kept in a
 * ReplayLog so a client whose stream dropped resumes where it stopped. The room cannot tell it
 * from a WebSocketPeer: the same pacing (input-pacer.ts, with an UpstreamGate for a socket), the
 * same pre-load queue, the same read-only and presence strikes, the same metrics and saved acks.
 *
 * Differences forced by HTTP: there is no socket to be alive, so liveness is "a stream is open or
 * a POST came recently" (the session registry reaps the rest); and a close is a record on the
 * stream (with the WebSocket close code) when one is open, or the answer to the next request.
 */
import type { ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { CloseCode, MessageType, type CloseCodeValue } from '../../../shared/protocol.js';
import { encodeStreamClose, encodeStreamMessage, STREAM_HEARTBEAT } from '../../../shared/http-sync-framing.js';
import { isUpdateMessage, type ClientMessage } from '../../protocol/codec.js';
import type { RoomPeer } from '../../room/room-peer.js';
import type { AwarenessLimits } from '../../room/awareness-guard.js';
import type { BudgetedPeer } from '../outbound-budget.js';
import type { MessageSink, PeerSettings } from '../peer-settings.js';
import { EarlyMessages } from '../early-messages.js';
import { Hold, InputPacer, type RateKind } from '../input-pacer.js';
import { rememberSentAwareness, takeAwarenessEcho } from '../awareness-echoes.js';
import { AckTimes } from '../../metrics/ack-times.js';
import { ReplayLog, type NumberedFrame } from './replay-log.js';
import { UpstreamGate } from './upstream-gate.js';
import { RefusalLimits } from '../refusal-limits.js';

export interface HttpSessionSettings extends Omit<PeerSettings, 'onClosed'> {
  /** Called once, when the session ends, with its close code (1006: reaped, nobody listening). */
  onClosed: (peer: HttpSessionPeer, code: number) => void;
  /** Downstream bytes kept for resuming a dropped stream (--http-replay-bytes). */
  replayBytes: number;
}

export interface HttpSessionPeerOptions {
  id: string;
  docName: string;
  canWrite: boolean;
  wantsSaveAck: boolean;
  /** The client declared it sends only its own presence (OWN_PRESENCE_PARAM): it echoes nothing. */
  sendsOwnPresenceOnly: boolean;
  subject: string | null;
  displayName: string | null;
  settings: HttpSessionSettings;
}

/** One decoded message of a POST body and its size on the wire. */
export interface ReceivedMessage {
  message: ClientMessage;
  bytes: Uint8Array;
}

export class HttpSessionPeer implements RoomPeer, BudgetedPeer {
  readonly id: string;
  readonly docName: string;
  readonly canWrite: boolean;
  readonly wantsSaveAck: boolean;
  readonly sendsOwnPresenceOnly: boolean;
  readonly subject: string | null;
  readonly displayName: string | null;
  /** Date.now() of the last sign of life: a POST, or a stream closing. */
  lastSeenAt = Date.now();
  readonly #settings: HttpSessionSettings;
  readonly #log: ReplayLog;
  readonly #gate = new UpstreamGate();
  readonly #input: InputPacer;
  #stream: ServerResponse | null = null;
  #sink: MessageSink | null = null;
  #early: EarlyMessages | null = new EarlyMessages();
  readonly #refusals: RefusalLimits;
  #closeCode: number | null = null;
  #sentAwareness: Set<string> | null = null;
  #ackTimes: AckTimes | null = null;
  #logger: Logger | null = null;
  /** The POST being handed to the room; the next one waits for it. */
  #receiving: Promise<void> = Promise.resolve();

  constructor(options: HttpSessionPeerOptions) {
    this.#settings = options.settings;
    this.id = options.id;
    this.docName = options.docName;
    this.canWrite = options.canWrite;
    this.wantsSaveAck = options.wantsSaveAck;
    this.sendsOwnPresenceOnly = options.sendsOwnPresenceOnly;
    this.subject = options.subject;
    this.displayName = options.displayName;
    this.#log = new ReplayLog(options.settings.replayBytes);
    this.#input = new InputPacer(this.#gate, options.settings.throttle);
    this.#refusals = new RefusalLimits(options.settings, (code, reason, msg) => this.#closeFor(code, reason, msg));
    // Nothing is taken in until the document is loaded: nothing is answered from an empty document.
    this.#input.hold(Hold.loading);
  }

  get log(): Logger {
    return (this.#logger ??= this.#settings.logger.child({ doc: this.docName, connId: this.id, transport: 'http' }));
  }

  get awarenessLimits(): AwarenessLimits {
    return this.#settings.awarenessLimits;
  }

  get isOpen(): boolean {
    return this.#closeCode === null;
  }

  /** The code the session ended with, or null while open. */
  get closeCode(): number | null {
    return this.#closeCode;
  }

  get hasStream(): boolean {
    return this.#stream !== null;
  }

  /** Bytes written to the open stream that Node has not handed to the kernel yet. */
  get unsentBytes(): number {
    return this.#stream?.writableLength ?? 0;
  }

  bind(sink: MessageSink): void {
    this.#sink = sink;
    const early = this.#early?.messages ?? [];
    this.#early = null;
    for (const message of early) sink.receive(this, message);
    this.#input.release(Hold.loading);
  }

  send(message: Uint8Array, onSent?: () => void): void {
    // Kept in the log, the message is as good as handed over: a resumed stream carries it.
    if (onSent) queueMicrotask(onSent);
    if (!this.isOpen) return;
    if (this.unsentBytes > this.#settings.maxBufferedBytes) {
      this.#closeFor(CloseCode.tryAgainLater, 'reader too slow', 'outbound buffer full: reader too slow');
      return;
    }
    if (!this.sendsOwnPresenceOnly && message[0] === MessageType.awareness) this.#sentAwareness = rememberSentAwareness(this.#sentAwareness, message);
    const frame = this.#log.append(message);
    if (this.#stream) {
      this.#write(this.#stream, frame);
      this.#settings.budget.noteWrite(this, this.unsentBytes);
    }
    const meter = this.#settings.meter;
    if (meter) {
      meter.sent(message);
      if (message[0] === MessageType.savedAck && this.#ackTimes) this.#ackTimes.acknowledged(message, meter);
    }
  }

  /** Whether every frame after `after` is still kept (or nothing was sent after it yet). */
  canResumeAfter(after: number): boolean {
    return this.#log.after(after) !== null;
  }

  /**
   * Makes `res` this session's stream, starting after frame `after` (the last one the client
   * read); a stream already open is ended. False when frames after `after` are gone.
   */
  openStream(res: ServerResponse, after: number): boolean {
    const frames = this.#log.after(after);
    if (frames === null) return false;
    this.#log.confirm(after);
    this.#stream?.end();
    this.#stream = res;
    // A write racing the client's disconnect must not become an unhandled 'error'.
    res.on('error', (error) => this.log.debug({ err: error }, 'stream error'));
    res.on('close', () => {
      if (this.#stream !== res) return;
      this.#stream = null;
      this.lastSeenAt = Date.now();
      this.#settings.budget.forget(this);
    });
    for (const frame of frames) this.#write(res, frame);
    return true;
  }

  /** The client read up to `seq` (a POST says so): the replay log may let go of those frames. */
  confirm(seq: number): void {
    this.#log.confirm(seq);
  }

  heartbeat(): void {
    this.#stream?.write(STREAM_HEARTBEAT);
  }

  /**
   * Hands a POST's messages to the room in order, waiting whenever input is held. POSTs that
   * overlap (a retry answered as a duplicate while the original still waits) queue behind each
   * other, so a later POST's messages never overtake an earlier one's.
   */
  receive(messages: readonly ReceivedMessage[]): Promise<void> {
    this.lastSeenAt = Date.now();
    const turn = this.#receiving.then(() => this.#receiveInOrder(messages));
    this.#receiving = turn;
    return turn;
  }

  async #receiveInOrder(messages: readonly ReceivedMessage[]): Promise<void> {
    for (const { message, bytes } of messages) {
      if (this.#gate.isPaused) await this.#gate.whenOpen();
      if (!this.isOpen) return;
      this.#deliver(message, bytes);
    }
    this.lastSeenAt = Date.now();
  }

  shed(unsentBytes: number): void {
    this.log.warn(
      { code: CloseCode.tryAgainLater, unsentBytes },
      'unsent bytes of all connections over --max-total-buffered-bytes: dropping this reader, among those holding the most',
    );
    this.close(CloseCode.tryAgainLater, 'server busy');
  }

  close(code: CloseCodeValue, reason: string): void {
    this.end(code, reason);
  }

  /** Ends the session with any code (1006 for a reaped one, which is never sent by a WebSocket). */
  end(code: number, reason: string): void {
    if (this.#closeCode !== null) return;
    this.#closeCode = code;
    this.#sink = null;
    this.#input.stop();
    this.#gate.release();
    const stream = this.#stream;
    this.#stream = null;
    stream?.end(encodeStreamClose(code, reason));
    this.#settings.budget.forget(this);
    // After the current turn, as a socket's close event would be: the room may be mid-drain.
    queueMicrotask(() => this.#settings.onClosed(this, code));
  }

  pauseInput(): void {
    this.#input.hold(Hold.room);
  }

  resumeInput(): void {
    this.#input.release(Hold.room);
  }

  stopInput(): void {
    this.#input.hold(Hold.shutdown);
  }

  refusedWrite(): void {
    this.#refusals.refusedWrite();
  }

  refusedAwareness(count: number): void {
    this.#refusals.refusedAwareness(count);
  }


  #write(res: ServerResponse, frame: NumberedFrame): void {
    res.write(encodeStreamMessage(frame.seq, frame.message));
  }

  #deliver(message: ClientMessage, bytes: Uint8Array): void {
    const meter = this.#settings.meter;
    if (meter) {
      meter.received(message.kind, bytes.length);
      if (this.wantsSaveAck && this.canWrite && isUpdateMessage(message)) (this.#ackTimes ??= new AckTimes()).arrived();
    }
    const kind = this.#rateKind(message, bytes);
    const verdict = this.#input.charge(bytes.length, kind);
    if (verdict === 'abusive') {
      this.#closeFor(CloseCode.rateLimited, 'rate limited', 'rate limits exceeded for too long');
      return;
    }
    if (verdict === 'first-pause') this.log.info({ code: CloseCode.rateLimited }, 'sending faster than the rate limits: pausing reads');
    // As on WebSockets: an echo changes nothing, and judging it would parse every state in it.
    if (kind === 'echo') return;
    if (this.#sink) {
      this.#sink.receive(this, message);
      return;
    }
    if (!(this.#early ??= new EarlyMessages()).add(message, bytes.length, this.#settings)) {
      this.#closeFor(CloseCode.tryAgainLater, 'too many early messages', 'too much sent before the document loaded');
    }
  }

  #rateKind(message: ClientMessage, bytes: Uint8Array): RateKind {
    if (message.kind === 'query-awareness') return 'awareness';
    if (message.kind !== 'awareness') return 'other';
    const isEcho = takeAwarenessEcho(this.#sentAwareness, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    if (this.#sentAwareness?.size === 0) this.#sentAwareness = null;
    return isEcho ? 'echo' : 'awareness';
  }

  #closeFor(code: CloseCodeValue, reason: string, msg: string): void {
    this.log.warn({ code }, msg);
    this.close(code, reason);
  }
}
