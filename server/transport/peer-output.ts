/**
 * The output half of a WebSocketPeer: messages out as finished frames (write-frame.ts), coalesced
 * within a turn (turn-cork.ts), with the saved ack riding the next write (saved-ack-ride.ts), the
 * awareness messages sent remembered until their echo comes back (awareness-echoes.ts), and the
 * meter told what left. Whether a write may happen at all (open, not over the buffer limit) is
 * the peer's call; this only writes.
 */
import type { WebSocket } from 'ws';
import { MessageType } from '../../shared/protocol.js';
import { AckTimes } from '../metrics/ack-times.js';
import type { BudgetedPeer } from './outbound-budget.js';
import type { PeerSettings } from './peer-settings.js';
import { rememberSentAwareness, takeAwarenessEcho } from './awareness-echoes.js';
import { writeFrame, writeFrames } from './write-frame.js';
import { WaitingSavedAck } from './saved-ack-ride.js';

export class PeerOutput {
  readonly #ws: WebSocket;
  readonly #settings: PeerSettings;
  /** The peer, for the process-wide outbound budget. */
  readonly #owner: BudgetedPeer;
  /** See turn-cork.ts: the turn this socket was last written in. */
  #lastWriteTurn = 0;
  /** The saved ack waiting to ride the next write; null while none waits (idle connections keep none). */
  #savedAck: WaitingSavedAck<PeerOutput> | null = null;
  /** False for a client that declared it does not echo (OWN_PRESENCE_PARAM): nothing to remember. */
  readonly #expectsEchoes: boolean;
  /** Awareness messages sent and not echoed yet; null when there are none (the usual idle state). */
  #sentAwareness: Set<string> | null = null;
  /** Arrival times of unacknowledged updates, for the saved-ack latency; null until measured. */
  #ackTimes: AckTimes | null = null;

  constructor(ws: WebSocket, settings: PeerSettings, owner: BudgetedPeer, expectsEchoes: boolean) {
    this.#ws = ws;
    this.#settings = settings;
    this.#owner = owner;
    this.#expectsEchoes = expectsEchoes;
  }

  /** Whether an echo could be waiting: a cheap test before takeEcho. */
  get awaitsEchoes(): boolean {
    return this.#sentAwareness !== null;
  }

  send(message: Uint8Array, onSent?: () => void): void {
    const ack = this.#takeAck();
    this.#lastWriteTurn = writeFrame(this.#ws, message, onSent, this.#lastWriteTurn, ack);
    if (ack) this.#wrote(ack);
    this.#wrote(message);
    this.#settings.budget.noteWrite(this.#owner, this.#ws.bufferedAmount);
  }

  /** Several messages in one socket write (see writeFrames). */
  sendAll(messages: readonly Uint8Array[]): void {
    const ack = this.#takeAck();
    this.#lastWriteTurn = writeFrames(this.#ws, messages, this.#lastWriteTurn, ack);
    if (ack) this.#wrote(ack);
    for (const message of messages) this.#wrote(message);
    this.#settings.budget.noteWrite(this.#owner, this.#ws.bufferedAmount);
  }

  /** The ack leaves first in the next write, or alone after a few milliseconds. */
  sendSavedAck(count: number): void {
    (this.#savedAck ??= new WaitingSavedAck<PeerOutput>(PeerOutput.#sendAckAlone, this)).wait(count, this.#settings.savedAckRideMs);
  }

  static readonly #sendAckAlone = (output: PeerOutput): void => output.writeWaitingAck();

  /**
   * Writes the waiting ack by itself: no ride came in time, or the connection is closing. Not
   * judged against the outbound limit: a few bytes, and the next message is judged anyway.
   */
  writeWaitingAck(): void {
    const ack = this.#takeAck();
    if (ack === null || this.#ws.readyState !== this.#ws.OPEN) return;
    this.#lastWriteTurn = writeFrame(this.#ws, ack, undefined, this.#lastWriteTurn);
    this.#wrote(ack);
    this.#settings.budget.noteWrite(this.#owner, this.#ws.bufferedAmount);
  }

  /** The connection is gone: no ack timer may outlive it. */
  dropWaitingAck(): void {
    this.#savedAck?.drop();
    this.#savedAck = null;
  }

  /**
   * The waiting ack, if any, for the write about to happen. The waiting object goes with it (its
   * timer is stopped by take): a writer's acks come one per edit or burst, and between them an
   * idle connection keeps nothing (56 bytes each, at 10,000 connections).
   */
  #takeAck(): Uint8Array | null {
    const waiting = this.#savedAck;
    if (waiting === null) return null;
    this.#savedAck = null;
    return waiting.take();
  }

  /** An update-bearing message arrived that a saved ack will cover (for the latency metric). */
  noteAckable(): void {
    (this.#ackTimes ??= new AckTimes()).arrived();
  }

  /** True when `frame` repeats an awareness message sent to this peer (and is forgotten now). */
  takeEcho(frame: Buffer): boolean {
    if (!takeAwarenessEcho(this.#sentAwareness, frame)) return false;
    if (this.#sentAwareness?.size === 0) this.#sentAwareness = null;
    return true;
  }

  /** Bookkeeping for a message just written: its echo, and the meter. */
  #wrote(message: Uint8Array): void {
    if (this.#expectsEchoes && message[0] === MessageType.awareness) this.#sentAwareness = rememberSentAwareness(this.#sentAwareness, message);
    const meter = this.#settings.meter;
    if (meter) {
      meter.sent(message);
      if (message[0] === MessageType.savedAck && this.#ackTimes) this.#ackTimes.acknowledged(message, meter);
    }
  }
}
