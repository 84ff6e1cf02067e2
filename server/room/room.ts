/**
 * One open document: its Y.Doc, its Awareness, the peers editing it and the leases holding it.
 *
 * Peers' messages go through a PeerInbox (peer-inbox.ts: applied once per turn, in order per
 * peer, with backpressure) and are applied by apply-peer-messages.ts: updates as one transaction
 * per sender and turn, sync step 1s answered from the DeferredDocument within each peer's answer
 * budget, awareness handed to RoomAwareness (room-awareness.ts: who may set which ids, size and id
 * limits, the cached full-presence message). What happens next is not written here: the room
 * emits document events (room-events.ts: update with its origin, pending, awareness, loaded,
 * durable, compacted, unloading), and broadcast to peers (room-broadcast.ts), the store writer
 * (room-store.ts) and whatever else the server wires up are listeners.
 */
import type * as Y from 'yjs';
import type * as awarenessProtocol from 'y-protocols/awareness';
import { ObservableV2 } from 'lib0/observable';
import type { Logger } from 'pino';
import { encodeSyncStep1, type ClientMessage } from '../protocol/codec.js';
import type { DocumentWriter } from '../persistence/document-writer.js';
import { isUpdateOrigin, type RoomPeer } from './room-peer.js';
import type { RoomEvents } from './room-events.js';
import type { DocumentLease } from './document-lease.js';
import { RoomError } from './room-error.js';
import { DeferredDocument } from './deferred-document.js';
import { PeerInbox } from './peer-inbox.js';
import { DEFAULT_ANSWER_BUDGET, type AnswerBudgetLimits } from './answer-budget.js';
import { RoomAwareness } from './room-awareness.js';
import { applyPeerMessages, newPeerState, type PeerMessageTarget, type PeerState } from './apply-peer-messages.js';

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
  /** What peers' messages act on (apply-peer-messages.ts). */
  readonly #target: PeerMessageTarget;
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
    this.#presence = new RoomAwareness({
      doc: this.#doc,
      name: this.name,
      logger: this.#logger,
      onChange: (change, origin) => this.emit('awareness', [change, origin]),
    });
    this.#target = {
      name: this.name,
      logger: this.#logger,
      content: this.#content,
      presence: this.#presence,
      writer: this.#writer,
      answerBudget: options.answerBudget ?? DEFAULT_ANSWER_BUDGET,
      emitPending: (update, origin) => this.emit('pending', [update, origin]),
    };
    this.#inbox = new PeerInbox({
      apply: (peer, messages) => applyPeerMessages(this.#target, peer, this.#peers.get(peer), messages),
      maxMessagesPerTurn: options.maxMessagesPerTurn ?? 1_000,
      maxQueuedPerPeer: options.maxQueuedPerPeer ?? 1_000,
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

  /** Leases held on the document (document-lease.ts): server code reading or editing it. */
  get leaseCount(): number {
    return this.#leases.size;
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
    this.#peers.set(peer, newPeerState());
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
