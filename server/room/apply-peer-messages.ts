/**
 * What one peer's messages do to its room, in the order it sent them: updates as one transaction
 * per run (apply-client-updates.ts checks each before it is applied), a read-only peer's changes
 * refused and reported, sync step 1s answered from the DeferredDocument, query-awareness answered
 * with the full presence, awareness handed to RoomAwareness. Then the peer's saved ack is
 * requested for what the batch enqueued.
 *
 * Sync and query-awareness answers cost the server far more than the few bytes that ask for them,
 * so each peer has an answer budget (answer-budget.ts): past it, the peer's further messages are
 * held, in order, and its input paused until the budget has refilled (peer-inbox.ts does the
 * holding; this returns how long).
 */
import type { Logger } from 'pino';
import { CloseCode } from '../../shared/protocol.js';
import { isUpdateMessage, type ClientMessage, type UpdateMessage } from '../protocol/codec.js';
import { ProtocolError } from '../protocol/protocol-error.js';
import type { DocumentWriter } from '../persistence/document-writer.js';
import type { RoomPeer, UpdateOrigin } from './room-peer.js';
import type { DeferredDocument } from './deferred-document.js';
import type { Applied } from './peer-inbox.js';
import type { RoomAwareness } from './room-awareness.js';
import { applyClientUpdates } from './apply-client-updates.js';
import { chargeAnswer, type AnswerAccount, type AnswerBudgetLimits } from './answer-budget.js';
import { requestSavedAck, type AckCounts } from './saved-acks.js';

/**
 * What a room keeps per peer for its messages: its saved-ack counts and answer account, flat in
 * one object (nested ones cost ~100 bytes more per idle connection).
 */
export interface PeerState extends AckCounts, AnswerAccount {
  /** A read-only peer's first sync step 2 is its handshake answer, not an edit. */
  sawSyncStep2: boolean;
}

export function newPeerState(): PeerState {
  // One literal, so every state has the same compact shape (a spread would not guarantee it).
  return { updateMessages: 0, ackedUpdateMessages: 0, durableAck: 0, sentAck: 0, sawSyncStep2: false, answered: false, budget: null };
}

/** The parts of a room its peers' messages act on; one per room. */
export interface PeerMessageTarget {
  name: string;
  logger: Logger;
  content: DeferredDocument;
  presence: RoomAwareness;
  writer: DocumentWriter;
  answerBudget: AnswerBudgetLimits;
  /** Client updates Yjs holds pending: emitted as the room's 'pending' event. */
  emitPending: (update: Uint8Array, origin: UpdateOrigin) => void;
}

// `[0, 0]`: no structs, empty delete set.
const EMPTY_UPDATE_BYTES = 2;

/** Applies one peer's messages in order (state is undefined once it left: only its edits count). */
export function applyPeerMessages(room: PeerMessageTarget, peer: RoomPeer, state: PeerState | undefined, messages: ClientMessage[]): Applied {
  let updates: UpdateMessage[] = [];
  // A peer closed for a bad update: the rest of what it sent is dropped.
  let refused = false;
  const applyUpdates = (): void => {
    if (updates.length === 0) return;
    const batch = updates;
    updates = [];
    if (!applyUpdateRun(room, peer, batch)) refused = true;
  };
  let applied = 0;
  let holdMs = 0;
  for (const message of messages) {
    if (refused || holdMs > 0) break;
    applied++;
    if (isUpdateMessage(message)) {
      if (!peer.canWrite) {
        if (state) refuseChange(peer, state, message);
        continue;
      }
      updates.push(message);
      if (state) state.updateMessages++;
      continue;
    }
    applyUpdates();
    // The next answer after a hold is charged again, and may hold the rest once more.
    if (message.kind === 'sync-step1') holdMs = answer(room, peer, state, () => room.content.answerSyncStep1(message.stateVector));
    else if (message.kind === 'query-awareness') holdMs = answer(room, peer, state, () => ({ replies: [room.presence.fullMessage] }));
    else if (!room.presence.receive(peer, message.update)) refused = true;
  }
  applyUpdates();
  if (state) requestSavedAck(peer, state, room.writer);
  return refused ? { applied: messages.length, holdMs: 0 } : { applied, holdMs };
}

/**
 * Sends the answer to a sync step 1 or a query-awareness (cached either way) and charges the
 * peer's budget; returns how long to hold the peer.
 */
function answer(
  room: PeerMessageTarget,
  peer: RoomPeer,
  state: PeerState | undefined,
  compute: () => { replies: Uint8Array[]; onSent?: (() => void) | null },
): number {
  // Nobody to answer: a peer that left keeps only its edits.
  if (!peer.isOpen) return 0;
  const { replies, onSent } = compute();
  const last = replies.length - 1;
  replies.forEach((reply, i) => peer.send(reply, i === last && onSent ? onSent : undefined));
  if (!state) return 0;
  return chargeAnswer(state, replies.reduce((bytes, reply) => bytes + reply.length, 0), room.answerBudget);
}

/**
 * A read-only peer's document change is dropped. The sync step 2 a stock client sends in answer
 * to our step 1 (once per connection) and empty updates are expected and not held against it;
 * every other change is reported, and the transport decides when to close.
 */
function refuseChange(peer: RoomPeer, state: PeerState, message: UpdateMessage): void {
  const isHandshakeAnswer = message.kind === 'sync-step2' && !state.sawSyncStep2;
  if (message.kind === 'sync-step2') state.sawSyncStep2 = true;
  if (isHandshakeAnswer || message.update.length === EMPTY_UPDATE_BYTES) return;
  peer.refusedWrite();
}

/** Applies one peer's consecutive updates; false when the peer was closed for them. */
function applyUpdateRun(room: PeerMessageTarget, peer: RoomPeer, updates: UpdateMessage[]): boolean {
  const origin: UpdateOrigin = { source: 'client', peer };
  const { pending, error } = applyClientUpdates(room.content.doc, updates, origin);
  // Yjs emits nothing for these, yet they are acknowledged: they must be stored as they are.
  for (const update of pending) room.emitPending(update, origin);
  if (error === null) return true;
  if (error instanceof ProtocolError) {
    room.logger.warn({ doc: room.name, connId: peer.id, code: error.closeCode, reason: error.code }, error.message);
    peer.close(error.closeCode, error.code);
    return false;
  }
  // The codec parsed these updates in full, so this is a Yjs integration failure.
  room.logger.warn({ doc: room.name, connId: peer.id, err: error }, 'update failed to integrate; closing connection');
  peer.close(CloseCode.invalidData, 'update failed to integrate');
  return false;
}
