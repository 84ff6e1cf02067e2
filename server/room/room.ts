/**
 * One open document: its Y.Doc, its Awareness, the peers editing it and the leases holding it.
 *
 * Peers' messages go through a PeerInbox (peer-inbox.ts: applied once per turn, in order per
 * peer, with backpressure) and are applied here: updates as one transaction per sender and turn
 * (apply-client-updates.ts checks each before it is applied), sync step 1s answered from the
 * DeferredDocument, awareness handed to RoomAwareness (room-awareness.ts: who may set which ids,
 * size and id limits, the cached full-presence message). What happens next is not written here: the room emits
 * document events (room-events.ts: update with its origin, pending, awareness, loaded, durable,
 * compacted, unloading), and broadcast to peers (room-broadcast.ts), the store writer
 * (room-store.ts) and whatever else the server wires up are listeners.
 *
 * Sync and query-awareness answers cost the server far more than the few bytes that ask for them,
 * so each peer has an answer budget (answer-budget.ts): past it, the peer's further messages are held, in order, and
 * its input paused until the budget has refilled.
 */
import type * as Y from 'yjs';
import type * as awarenessProtocol from 'y-protocols/awareness';
import { ObservableV2 } from 'lib0/observable';
import type { Logger } from 'pino';
import { CloseCode } from '../../shared/protocol.js';
import { encodeSyncStep1, isUpdateMessage, type ClientMessage, type UpdateMessage } from '../protocol/codec.js';
import { ProtocolError } from '../protocol/protocol-error.js';
import type { DocumentWriter } from '../persistence/document-writer.js';
import { isUpdateOrigin, type RoomPeer, type UpdateOrigin } from './room-peer.js';
import type { RoomEvents } from './room-events.js';
import type { DocumentLease } from './document-lease.js';
import { RoomError } from './room-error.js';
import { DeferredDocument } from './deferred-document.js';
import { PeerInbox, type Applied } from './peer-inbox.js';
import { applyClientUpdates } from './apply-client-updates.js';
import { chargeAnswer, DEFAULT_ANSWER_BUDGET, type AnswerAccount, type AnswerBudgetLimits } from './answer-budget.js';
import { newAckCounts, requestSavedAck, type AckCounts } from './saved-acks.js';
import { RoomAwareness } from './room-awareness.js';

export interface RoomOptions {
  name: string;
  doc: Y.Doc;
  /** Acknowledgements and flushes wait for it; storing is a listener's job (room-store.ts). */
  writer: DocumentWriter;
  logger: Logger;
  /** Most messages applied per turn; the rest wait for the next turn. */
  maxMessagesPerTurn?: number;
  /** A peer with more unapplied messages than this is paused until it drains. */
  maxQueuedPerPeer?: number;
  /** The stored updates the document was loaded from, not yet applied (see DeferredDocument). */
  storedState?: Uint8Array[];
  /** Sync-answer bytes one peer may cause (see answer-budget.ts). */
  answerBudget?: AnswerBudgetLimits;
}

interface PeerState {
  acks: AckCounts;
  /** A read-only peer's first sync step 2 is its handshake answer, not an edit. */
  sawSyncStep2: boolean;
  answers: AnswerAccount;
}

// `[0, 0]`: no structs, empty delete set.
const EMPTY_UPDATE_BYTES = 2;

export class Room extends ObservableV2<RoomEvents> {
  readonly name: string;
  /** The Y.Doc itself, for wiring only (listeners, awareness); read content through #content. */
  readonly #doc: Y.Doc;
  readonly #content: DeferredDocument;
  readonly #presence: RoomAwareness;
  readonly #writer: DocumentWriter;
  readonly #logger: Logger;
  readonly #peers = new Map<RoomPeer, PeerState>();
  readonly #leases = new Set<DocumentLease>();
  readonly #inbox: PeerInbox;
  readonly #answerBudget: AnswerBudgetLimits;
  #destroyed = false;

  constructor(options: RoomOptions) {
    super();
    this.name = options.name;
    this.#doc = options.doc;
    this.#content = new DeferredDocument({
      doc: options.doc,
      storedState: options.storedState ?? [],
      onApplied: () => {
        this.#doc.on('update', this.#onDocUpdate);
        this.#sendSyncStep1ToAll();
        this.emit('loaded', []);
      },
    });
    this.#writer = options.writer;
    this.#logger = options.logger;
    this.#answerBudget = options.answerBudget ?? DEFAULT_ANSWER_BUDGET;
    this.#inbox = new PeerInbox({
      apply: (peer, messages) => this.#applyFromPeer(peer, messages),
      maxMessagesPerTurn: options.maxMessagesPerTurn ?? 1_000,
      maxQueuedPerPeer: options.maxQueuedPerPeer ?? 1_000,
    });
    this.#presence = new RoomAwareness({
      doc: this.#doc,
      name: this.name,
      logger: this.#logger,
      onChange: (change, origin) => this.emit('awareness', [change, origin]),
    });
    // Listening only once the stored state is applied: Yjs encodes an update for every
    // transaction someone listens to, and the stored state's (the whole document) goes nowhere.
    if (this.#content.isApplied) this.#doc.on('update', this.#onDocUpdate);
  }

  /** The room's presence (y-protocols Awareness), for listeners and leases. */
  get awareness(): awarenessProtocol.Awareness {
    return this.#presence.awareness;
  }

  /** The document, with everything stored applied to it. */
  get doc(): Y.Doc {
    return this.#content.doc;
  }

  /** True once the stored state is applied (from the start when the store held nothing). */
  get isLoaded(): boolean {
    return this.#content.isApplied;
  }

  get isDestroyed(): boolean {
    return this.#destroyed;
  }

  get peerCount(): number {
    return this.#peers.size;
  }

  /** Peers and leases: the room is unloaded only when nothing holds it. */
  get holderCount(): number {
    return this.#peers.size + this.#leases.size;
  }

  /** The connected peers, for listeners that send to them (iterate, do not keep). */
  get peers(): IterableIterator<RoomPeer> {
    return this.#peers.keys();
  }

  get hasUnsavedChanges(): boolean {
    return this.#writer.hasUnsavedChanges || this.#inbox.hasWaiting;
  }

  get storedBytes(): number {
    return this.#writer.storedBytes;
  }

  /** Adds a peer and starts the sync handshake: our state vector, then everyone's presence. */
  attach(peer: RoomPeer): void {
    if (this.#destroyed) throw new Error(`room ${this.name} is destroyed`);
    const answers = { answered: false, budget: null };
    this.#peers.set(peer, { acks: newAckCounts(), sawSyncStep2: false, answers });
    this.#inbox.add(peer);
    this.#presence.attach(peer);
    // Our step 1 needs the applied document: until then it is sent when the stored state is
    // applied, while a client's step 1 is already answered from the stored bytes.
    if (this.#content.isApplied) peer.send(encodeSyncStep1(this.#doc));
    else this.#content.applySoon();
    if (this.#presence.hasStates) peer.send(this.#presence.fullMessage);
  }

  /** Removes a peer; its presence is removed for everyone else. Its queued edits still apply. */
  detach(peer: RoomPeer): void {
    if (!this.#peers.delete(peer)) return;
    this.#inbox.remove(peer);
    this.#presence.detach(peer);
  }

  /** Counts a lease as a holder, and applies the stored state now (a lease reads the document). */
  addLease(lease: DocumentLease): void {
    if (this.#destroyed) throw new RoomError('document-closed', `room ${this.name} is destroyed`);
    this.#leases.add(lease);
    void this.#content.doc;
  }

  removeLease(lease: DocumentLease): void {
    this.#leases.delete(lease);
  }

  receive(peer: RoomPeer, message: ClientMessage): void {
    if (this.#peers.has(peer)) this.#inbox.receive(peer, message);
  }

  /** Calls back once everything enqueued to the writer so far is durable (never, if destroyed first). */
  onDurable(callback: () => void): void {
    this.#writer.onDurable(callback);
  }

  /** Applies everything queued (held messages too) and waits until it is stored and compacted. */
  async flush(): Promise<void> {
    this.#inbox.drainAll();
    await this.#writer.flush();
  }

  override destroy(): void {
    if (this.#destroyed) return;
    this.emit('unloading', []);
    this.#destroyed = true;
    this.#inbox.destroy();
    this.#writer.close();
    this.#content.destroy();
    this.#doc.off('update', this.#onDocUpdate);
    this.#presence.destroy();
    this.#doc.destroy();
    this.#peers.clear();
    this.#leases.clear();
    super.destroy();
  }

  #applyFromPeer(peer: RoomPeer, messages: ClientMessage[]): Applied {
    const state = this.#peers.get(peer);
    let updates: UpdateMessage[] = [];
    // A peer closed for a bad update: the rest of what it sent is dropped.
    let refused = false;
    const applyUpdates = (): void => {
      if (updates.length === 0) return;
      const batch = updates;
      updates = [];
      if (!this.#applyUpdates(peer, batch)) refused = true;
    };
    let applied = 0;
    let holdMs = 0;
    for (const message of messages) {
      if (refused || holdMs > 0) break;
      applied++;
      if (isUpdateMessage(message)) {
        if (!peer.canWrite) {
          if (state) this.#refuseChange(peer, state, message);
          continue;
        }
        updates.push(message);
        if (state) state.acks.updateMessages++;
        continue;
      }
      applyUpdates();
      // The next answer after a hold is charged again, and may hold the rest once more.
      if (message.kind === 'sync-step1') holdMs = this.#answer(peer, state, () => this.#content.answerSyncStep1(message.stateVector));
      else if (message.kind === 'query-awareness') holdMs = this.#answer(peer, state, () => ({ replies: [this.#presence.fullMessage] }));
      else if (!this.#presence.receive(peer, message.update)) refused = true;
    }
    applyUpdates();
    if (state) requestSavedAck(peer, state.acks, this.#writer);
    return refused ? { applied: messages.length, holdMs: 0 } : { applied, holdMs };
  }

  /**
   * Sends the answer to a sync step 1 or a query-awareness (cached either way) and charges the
   * peer's budget; returns how long to hold the peer.
   */
  #answer(peer: RoomPeer, state: PeerState | undefined, answer: () => { replies: Uint8Array[]; onSent?: (() => void) | null }): number {
    // Nobody to answer: a peer that left keeps only its edits.
    if (!peer.isOpen) return 0;
    const { replies, onSent } = answer();
    const last = replies.length - 1;
    replies.forEach((reply, i) => peer.send(reply, i === last && onSent ? onSent : undefined));
    if (!state) return 0;
    return chargeAnswer(state.answers, replies.reduce((bytes, reply) => bytes + reply.length, 0), this.#answerBudget);
  }

  /**
   * A read-only peer's document change is dropped. The sync step 2 a stock client sends in answer
   * to our step 1 (once per connection) and empty updates are expected and not held against it;
   * every other change is reported, and the transport decides when to close.
   */
  #refuseChange(peer: RoomPeer, state: PeerState, message: UpdateMessage): void {
    const isHandshakeAnswer = message.kind === 'sync-step2' && !state.sawSyncStep2;
    if (message.kind === 'sync-step2') state.sawSyncStep2 = true;
    if (isHandshakeAnswer || message.update.length === EMPTY_UPDATE_BYTES) return;
    peer.refusedWrite();
  }

  /** Applies one peer's consecutive updates; false when the peer was closed for them. */
  #applyUpdates(peer: RoomPeer, updates: UpdateMessage[]): boolean {
    const origin: UpdateOrigin = { source: 'client', peer };
    const { pending, error } = applyClientUpdates(this.doc, updates, origin);
    // Yjs emits nothing for these, yet they are acknowledged: they must be stored as they are.
    for (const update of pending) this.emit('pending', [update, origin]);
    if (error === null) return true;
    if (error instanceof ProtocolError) {
      this.#logger.warn({ doc: this.name, connId: peer.id, code: error.closeCode, reason: error.code }, error.message);
      peer.close(error.closeCode, error.code);
      return false;
    }
    // The codec parsed these updates in full, so this is a Yjs integration failure.
    this.#logger.warn({ doc: this.name, connId: peer.id, err: error }, 'update failed to integrate; closing connection');
    peer.close(CloseCode.invalidData, 'update failed to integrate');
    return false;
  }

  #sendSyncStep1ToAll(): void {
    if (this.#peers.size === 0) return;
    const step1 = encodeSyncStep1(this.#doc);
    for (const peer of this.#peers.keys()) peer.send(step1);
  }

  readonly #onDocUpdate = (update: Uint8Array, origin: unknown): void => {
    const from = isUpdateOrigin(origin) ? origin : null;
    // Applying what was stored changes nothing anyone has not got, or the store has not kept.
    if (from?.source === 'store') return;
    this.#content.changed();
    this.emit('update', [update, from]);
  };
}
