/**
 * One open document: its Y.Doc, its Awareness and the peers editing it.
 *
 * Messages from peers are queued and applied in the next check phase of the event loop, so that
 * everything that arrived for the document in one turn costs one transaction per sender: one
 * merged update broadcast to the others and one store write. Each peer's messages are applied
 * in the order they arrived. Broadcasts are encoded once for all receivers.
 *
 * Updates are checked before they are applied: one that would nest Y types deeper than
 * MAX_NESTING_DEPTH closes its sender with 1007 and changes nothing (nesting-depth.ts).
 *
 * Sync answers cost the server far more than the few bytes that ask for them, so each peer has an
 * answer budget (answer-budget.ts): past it, the peer's further messages are held, in order, and
 * its input paused until the budget has refilled.
 */
import * as Y from 'yjs';
import * as awarenessProtocol from 'y-protocols/awareness';
import type { Logger } from 'pino';
import { CloseCode } from '../../shared/protocol.js';
import {
  encodeAwarenessMessage,
  encodeSavedAck,
  encodeSyncStep1,
  encodeSyncUpdate,
  isUpdateMessage,
  type ClientMessage,
  type UpdateMessage,
} from '../protocol/codec.js';
import { ProtocolError } from '../protocol/protocol-error.js';
import type { DocumentWriter } from '../persistence/document-writer.js';
import type { RoomPeer, UpdateOrigin } from './room-peer.js';
import { DeferredDocument } from './deferred-document.js';
import { hasNewPending, pendingStateOf } from './pending-state.js';
import { exceedsNestingDepth, MAX_NESTING_DEPTH } from './nesting-depth.js';
import { AnswerBudget, DEFAULT_ANSWER_BUDGET, type AnswerBudgetLimits } from './answer-budget.js';
import { addControlledId, controlledIdList, removeControlledId, type ControlledIds } from './controlled-ids.js';

export interface RoomOptions {
  name: string;
  doc: Y.Doc;
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
  /** Awareness client ids this peer introduced: nearly always one, so a Set only from the second. */
  controlledClientIds: ControlledIds;
  updateMessages: number;
  /** Highest count handed to the writer to acknowledge once durable. */
  ackedUpdateMessages: number;
  /** Highest count known durable, and the highest sent. */
  durableAck: number;
  sentAck: number;
  /** Messages received and not applied yet (in the inbox or held). */
  queued: number;
  /** Over maxQueuedPerPeer, until drained to half of it. */
  queueFull: boolean;
  /** Whether we have paused the peer's input (queue full or messages held). */
  paused: boolean;
  /** A read-only peer's first sync step 2 is its handshake answer, not an edit. */
  sawSyncStep2: boolean;
  /** Its first sync answer is free; the budget exists from the second (idle peers stay small). */
  answered: boolean;
  budget: AnswerBudget | null;
  /** Messages waiting, in order, until the answer budget has refilled; null when none wait. */
  held: ClientMessage[] | null;
  holdTimer: NodeJS.Timeout | null;
}

interface Inbound {
  peer: RoomPeer;
  message: ClientMessage;
}

// `[0, 0]`: no structs, empty delete set.
const EMPTY_UPDATE_BYTES = 2;

export class Room {
  readonly name: string;
  /** The Y.Doc itself, for wiring only (listeners, awareness); read content through #content. */
  readonly #doc: Y.Doc;
  readonly #content: DeferredDocument;
  readonly awareness: awarenessProtocol.Awareness;
  readonly #writer: DocumentWriter;
  readonly #logger: Logger;
  readonly #peers = new Map<RoomPeer, PeerState>();
  #inbox: Inbound[] = [];
  #drainScheduled: NodeJS.Immediate | null = null;
  readonly #maxMessagesPerTurn: number;
  readonly #maxQueuedPerPeer: number;
  readonly #answerBudget: AnswerBudgetLimits;
  #destroyed = false;

  constructor(options: RoomOptions) {
    this.name = options.name;
    this.#doc = options.doc;
    this.#content = new DeferredDocument({
      doc: options.doc,
      storedState: options.storedState ?? [],
      onApplied: () => {
        this.#doc.on('update', this.#onDocUpdate);
        this.#sendSyncStep1ToAll();
      },
    });
    this.#writer = options.writer;
    this.#logger = options.logger;
    this.#maxMessagesPerTurn = options.maxMessagesPerTurn ?? 1_000;
    this.#maxQueuedPerPeer = options.maxQueuedPerPeer ?? 1_000;
    this.#answerBudget = options.answerBudget ?? DEFAULT_ANSWER_BUDGET;
    this.awareness = new awarenessProtocol.Awareness(this.#doc);
    this.awareness.setLocalState(null);
    // Listening only once the stored state is applied: Yjs encodes an update for every
    // transaction someone listens to, and the stored state's (the whole document) goes nowhere.
    if (this.#content.isApplied) this.#doc.on('update', this.#onDocUpdate);
    this.awareness.on('update', this.#onAwarenessUpdate);
  }

  /** The document, with everything stored applied to it. */
  get doc(): Y.Doc {
    return this.#content.doc;
  }

  get isDestroyed(): boolean {
    return this.#destroyed;
  }

  get peerCount(): number {
    return this.#peers.size;
  }

  get hasUnsavedChanges(): boolean {
    return this.#writer.hasUnsavedChanges || this.#inbox.length > 0 || [...this.#peers.values()].some((state) => state.held);
  }

  get storedBytes(): number {
    return this.#writer.storedBytes;
  }

  /** Adds a peer and starts the sync handshake: our state vector, then everyone's presence. */
  attach(peer: RoomPeer): void {
    if (this.#destroyed) throw new Error(`room ${this.name} is destroyed`);
    this.#peers.set(peer, {
      controlledClientIds: null,
      updateMessages: 0,
      ackedUpdateMessages: 0,
      durableAck: 0,
      sentAck: 0,
      queued: 0,
      queueFull: false,
      paused: false,
      sawSyncStep2: false,
      answered: false,
      budget: null,
      held: null,
      holdTimer: null,
    });
    // Our step 1 needs the applied document: until then it is sent when the stored state is
    // applied, while a client's step 1 is already answered from the stored bytes.
    if (this.#content.isApplied) peer.send(encodeSyncStep1(this.#doc));
    else this.#content.applySoon();
    if (this.awareness.getStates().size > 0) {
      peer.send(this.#encodeAwarenessStates([...this.awareness.getStates().keys()]));
    }
  }

  /** Removes a peer; its presence is removed for everyone else. Its queued edits still apply. */
  detach(peer: RoomPeer): void {
    const state = this.#peers.get(peer);
    if (!state) return;
    this.#peers.delete(peer);
    // Held messages still apply (edits among them must not be lost), budget or not.
    this.#releaseHeld(peer, state);
    const controlled = controlledIdList(state.controlledClientIds);
    if (controlled.length > 0) awarenessProtocol.removeAwarenessStates(this.awareness, controlled, null);
  }

  receive(peer: RoomPeer, message: ClientMessage): void {
    const state = this.#peers.get(peer);
    if (!state) return;
    state.queued++;
    if (state.held) {
      // Behind the held ones, in order.
      state.held.push(message);
    } else {
      this.#inbox.push({ peer, message });
      this.#scheduleDrain();
    }
    this.#updateInput(peer, state);
  }

  /** Applies queued messages now, at most `limit` of them; reschedules the rest. */
  drainInbox(limit = Number.POSITIVE_INFINITY): void {
    if (this.#inbox.length === 0) return;
    const batch = this.#inbox.length <= limit ? this.#inbox : this.#inbox.slice(0, limit);
    this.#inbox = batch === this.#inbox ? [] : this.#inbox.slice(limit);
    for (const [peer, messages] of groupByPeer(batch)) this.#applyFromPeer(peer, messages);
    if (this.#inbox.length > 0) this.#scheduleDrain();
  }

  /** Applies everything queued (held messages too) and waits until it is stored and compacted. */
  async flush(): Promise<void> {
    for (const [peer, state] of this.#peers) this.#releaseHeld(peer, state);
    this.drainInbox();
    await this.#writer.flush();
  }

  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    if (this.#drainScheduled) clearImmediate(this.#drainScheduled);
    for (const state of this.#peers.values()) if (state.holdTimer) clearTimeout(state.holdTimer);
    this.#writer.close();
    this.#content.destroy();
    this.#doc.off('update', this.#onDocUpdate);
    this.awareness.off('update', this.#onAwarenessUpdate);
    this.awareness.destroy();
    this.#doc.destroy();
    this.#peers.clear();
    this.#inbox = [];
  }

  #scheduleDrain(): void {
    this.#drainScheduled ??= setImmediate(() => {
      this.#drainScheduled = null;
      this.drainInbox(this.#maxMessagesPerTurn);
    });
  }

  #applyFromPeer(peer: RoomPeer, messages: ClientMessage[]): void {
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
    for (const message of messages) {
      if (refused) break;
      applied++;
      if (isUpdateMessage(message)) {
        if (!peer.canWrite) {
          if (state) this.#refuseChange(peer, state, message);
          continue;
        }
        updates.push(message);
        if (state) state.updateMessages++;
        continue;
      }
      applyUpdates();
      if (message.kind === 'sync-step1') {
        const holdMs = this.#answerSyncStep1(peer, state, message.stateVector);
        if (holdMs > 0 && state) {
          this.#hold(peer, state, messages.slice(applied), holdMs);
          break;
        }
        continue;
      }
      this.#applyControlMessage(peer, message);
    }
    applyUpdates();
    if (state) this.#afterPeerBatch(peer, state, refused ? messages.length : applied);
  }

  /** Answers a sync step 1 and charges the peer's budget; returns how long to hold the peer. */
  #answerSyncStep1(peer: RoomPeer, state: PeerState | undefined, stateVector: Map<number, number>): number {
    // Nobody to answer: a peer that left keeps only its edits.
    if (!peer.isOpen) return 0;
    const { replies, onSent } = this.#content.answerSyncStep1(stateVector);
    const last = replies.length - 1;
    replies.forEach((reply, i) => peer.send(reply, i === last && onSent ? onSent : undefined));
    if (!state) return 0;
    if (!state.answered) {
      state.answered = true;
      return 0;
    }
    state.budget ??= new AnswerBudget(this.#answerBudget);
    return state.budget.charge(replies.reduce((bytes, reply) => bytes + reply.length, 0));
  }

  /**
   * Holds the peer's messages after the answer that overdrew its budget: the rest of this batch,
   * then any of its messages still in the inbox, then whatever it sends meanwhile, in that order.
   */
  #hold(peer: RoomPeer, state: PeerState, rest: ClientMessage[], holdMs: number): void {
    const held = rest;
    if (this.#inbox.some((entry) => entry.peer === peer)) {
      const others: Inbound[] = [];
      for (const entry of this.#inbox) {
        if (entry.peer === peer) held.push(entry.message);
        else others.push(entry);
      }
      this.#inbox = others;
    }
    state.held = held;
    this.#updateInput(peer, state);
    // The next step 1 among them is charged again, and may hold the rest once more.
    state.holdTimer = setTimeout(() => {
      state.holdTimer = null;
      const resumed = state.held ?? [];
      state.held = null;
      if (resumed.length > 0) this.#applyFromPeer(peer, resumed);
      else this.#updateInput(peer, state);
    }, holdMs);
  }

  /** Puts held messages back in the inbox, budget or not (the peer left, or a flush). */
  #releaseHeld(peer: RoomPeer, state: PeerState): void {
    if (state.holdTimer) clearTimeout(state.holdTimer);
    state.holdTimer = null;
    const held = state.held;
    state.held = null;
    if (!held || held.length === 0) return;
    for (const message of held) this.#inbox.push({ peer, message });
    this.#scheduleDrain();
  }

  /** Pauses the peer's input while its queue is full or its messages are held; resumes after. */
  #updateInput(peer: RoomPeer, state: PeerState): void {
    if (state.queued > this.#maxQueuedPerPeer) state.queueFull = true;
    else if (state.queued <= this.#maxQueuedPerPeer / 2) state.queueFull = false;
    const pause = state.queueFull || state.held !== null;
    if (pause === state.paused) return;
    state.paused = pause;
    if (pause) peer.pauseInput();
    else peer.resumeInput();
  }

  /**
   * A read-only peer's document change is dropped. The sync step 2 a stock client sends in answer
   * to our step 1 (once per connection) and empty updates are expected and not held against it;
   * every other change is reported, and the transport decides when to close.
   */
  #refuseChange(peer: RoomPeer, state: PeerState, message: Extract<ClientMessage, { update: Uint8Array }>): void {
    const isHandshakeAnswer = message.kind === 'sync-step2' && !state.sawSyncStep2;
    if (message.kind === 'sync-step2') state.sawSyncStep2 = true;
    if (isHandshakeAnswer || message.update.length === EMPTY_UPDATE_BYTES) return;
    peer.refusedWrite();
  }

  /** Applies one peer's consecutive updates as one transaction; false when the peer was closed for them. */
  #applyUpdates(peer: RoomPeer, updates: UpdateMessage[]): boolean {
    const origin: UpdateOrigin = { source: 'client', peer };
    const doc = this.doc;
    // Updates Yjs holds back for missing dependencies: stored as they are (see pending-state.ts).
    const held: Uint8Array[] = [];
    try {
      doc.transact(() => {
        for (const { update, createsTypes } of updates) {
          // Checked against the document as the updates before it in the batch left it.
          if ((createsTypes || doc.store.pendingStructs) && exceedsNestingDepth(doc, update)) {
            throw new ProtocolError('too-deeply-nested', `update nests types deeper than ${MAX_NESTING_DEPTH} levels`);
          }
          const before = pendingStateOf(doc);
          Y.applyUpdate(doc, update, origin);
          if (hasNewPending(before, pendingStateOf(doc))) held.push(update);
        }
      }, origin);
    } catch (error) {
      if (error instanceof ProtocolError) {
        this.#logger.warn({ doc: this.name, connId: peer.id, code: error.closeCode, reason: error.code }, error.message);
        peer.close(error.closeCode, error.code);
        return false;
      }
      // The codec parsed these updates in full, so this is a Yjs integration failure.
      this.#logger.warn({ doc: this.name, connId: peer.id, err: error }, 'update failed to integrate; closing connection');
      peer.close(CloseCode.invalidData, 'update failed to integrate');
      return false;
    } finally {
      for (const update of held) this.#writer.enqueue(update);
    }
    return true;
  }

  #applyControlMessage(peer: RoomPeer, message: Exclude<ClientMessage, { kind: 'sync-step1' | 'sync-step2' | 'sync-update' }>): void {
    switch (message.kind) {
      case 'awareness':
        try {
          awarenessProtocol.applyAwarenessUpdate(this.awareness, message.update, peer);
        } catch (error) {
          this.#logger.warn({ doc: this.name, connId: peer.id, err: error }, 'awareness update failed; closing connection');
          peer.close(CloseCode.invalidData, 'bad awareness update');
        }
        return;
      case 'query-awareness':
        peer.send(this.#encodeAwarenessStates([...this.awareness.getStates().keys()]));
        return;
    }
  }

  #afterPeerBatch(peer: RoomPeer, state: PeerState, applied: number): void {
    state.queued -= applied;
    this.#updateInput(peer, state);
    if (peer.wantsSaveAck && state.updateMessages > state.ackedUpdateMessages) {
      const count = state.updateMessages;
      state.ackedUpdateMessages = count;
      this.#writer.onDurable(() => this.#ackDurable(peer, state, count));
    }
  }

  /** Several drains often become durable in one write: send the peer one ack, the highest. */
  #ackDurable(peer: RoomPeer, state: PeerState, count: number): void {
    const scheduled = state.durableAck > state.sentAck;
    state.durableAck = Math.max(state.durableAck, count);
    if (scheduled) return;
    queueMicrotask(() => {
      if (state.durableAck <= state.sentAck) return;
      state.sentAck = state.durableAck;
      if (peer.isOpen) peer.send(encodeSavedAck(state.sentAck));
    });
  }

  #sendSyncStep1ToAll(): void {
    if (this.#peers.size === 0) return;
    const step1 = encodeSyncStep1(this.#doc);
    for (const peer of this.#peers.keys()) peer.send(step1);
  }

  #encodeAwarenessStates(clientIds: number[]): Uint8Array {
    return encodeAwarenessMessage(awarenessProtocol.encodeAwarenessUpdate(this.awareness, clientIds));
  }

  readonly #onDocUpdate = (update: Uint8Array, origin: unknown): void => {
    const from = origin as UpdateOrigin | undefined;
    // Applying what was stored changes nothing anyone has not got, or the store has not kept.
    if (from?.source === 'store') return;
    this.#content.changed();
    const sender = from?.source === 'client' ? from.peer : null;
    const message = encodeSyncUpdate(update);
    for (const peer of this.#peers.keys()) {
      if (peer !== sender) peer.send(message);
    }
    if (from?.source !== 'pubsub') this.#writer.enqueue(update);
  };

  readonly #onAwarenessUpdate = (
    change: { added: number[]; updated: number[]; removed: number[] },
    origin: unknown,
  ): void => {
    const changed = [...change.added, ...change.updated, ...change.removed];
    const sender = this.#peers.has(origin as RoomPeer) ? (origin as RoomPeer) : null;
    if (sender) {
      const state = this.#peers.get(sender)!;
      for (const id of change.added) state.controlledClientIds = addControlledId(state.controlledClientIds, id);
      for (const id of change.removed) state.controlledClientIds = removeControlledId(state.controlledClientIds, id);
    }
    const message = this.#encodeAwarenessStates(changed);
    for (const peer of this.#peers.keys()) {
      if (peer !== sender) peer.send(message);
    }
  };
}

function groupByPeer(batch: Inbound[]): Map<RoomPeer, ClientMessage[]> {
  const byPeer = new Map<RoomPeer, ClientMessage[]>();
  for (const { peer, message } of batch) {
    const messages = byPeer.get(peer);
    if (messages) messages.push(message);
    else byPeer.set(peer, [message]);
  }
  return byPeer;
}
