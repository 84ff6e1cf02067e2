/**
 * Document updates of a hot room, held until its next presence send (awareness-batch.ts) and
 * then sent as ONE sync update per receiver, in the same write as the presence message. In a
 * document with hundreds of people, each receiver then costs one socket write per window instead
 * of one per edit plus one per presence message; an edit waits at most one window (80 ms).
 *
 * A change never goes back to the peer it came from: a sender gets the merge of the others'
 * updates of the window (nothing if it was the only one). Past MAX_EXCLUDED_SENDERS distinct
 * senders in one window, senders get the full merge too (their own updates are no-ops to Yjs),
 * so the work stays one merge per window however many people type.
 */
import * as Y from 'yjs';
import { encodeSyncUpdate } from '../protocol/codec.js';
import type { RoomPeer } from './room-peer.js';

/** Rooms whose presence window is at least this long hold their updates (≥ 100 peers). */
export const HOLD_UPDATES_FROM_WINDOW_MS = 16;
const MAX_EXCLUDED_SENDERS = 8;

/** One window's updates, encoded: what each receiver gets. */
export interface WindowUpdates {
  /** The sync-update message for a peer (null: nothing for it). */
  messageFor(peer: RoomPeer): Uint8Array | null;
  /** The message every peer that sent nothing in the window gets. */
  readonly shared: Uint8Array;
}

export class HeldUpdates {
  #updates: Uint8Array[] = [];
  /** The client peer each update came from (null: a lease, another process, a catch-up). */
  #senders: (RoomPeer | null)[] = [];

  get isEmpty(): boolean {
    return this.#updates.length === 0;
  }

  add(update: Uint8Array, sender: RoomPeer | null): void {
    this.#updates.push(update);
    this.#senders.push(sender);
  }

  /** Empties the hold; null when it held nothing. */
  take(): WindowUpdates | null {
    const updates = this.#updates;
    const senders = this.#senders;
    if (updates.length === 0) return null;
    this.#updates = [];
    this.#senders = [];
    const shared = encodeSyncUpdate(merged(updates));
    const distinct = new Set(senders);
    distinct.delete(null);
    if (distinct.size === 0 || distinct.size > MAX_EXCLUDED_SENDERS) return { shared, messageFor: () => shared };
    const bySender = new Map<RoomPeer, Uint8Array | null>();
    for (const sender of distinct as Set<RoomPeer>) {
      const others = updates.filter((_update, i) => senders[i] !== sender);
      bySender.set(sender, others.length === 0 ? null : encodeSyncUpdate(merged(others)));
    }
    return { shared, messageFor: (peer) => (bySender.has(peer) ? bySender.get(peer)! : shared) };
  }
}

function merged(updates: Uint8Array[]): Uint8Array {
  return updates.length === 1 ? updates[0]! : Y.mergeUpdates(updates);
}
