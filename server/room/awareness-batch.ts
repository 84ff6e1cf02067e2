/**
 * A room's presence changes, collected while the turn runs and sent once at its end: every peer
 * gets ONE awareness message holding every client state that changed in the turn, instead of
 * one message per change. In a document with N people each moving a cursor once a second, that
 * is what keeps the frames per second from growing as N²: a turn applies every awareness message
 * that arrived for the document (peer-inbox.ts), and all of them leave in one frame per peer.
 *
 * A peer is not sent the states it changed itself in the turn (it has them). The entries are
 * ordered as y-protocols reports them to a stock client — added, then updated, then removed — so
 * the message a y-websocket client echoes back (it re-sends every change it receives, in that
 * order) is byte-identical to the one it got, and counts as an echo (awareness-echoes.ts).
 *
 * States that did not change are not re-sent: the room applies only entries that change
 * something (awareness-guard.ts). A renewal with the same state is still sent: receivers drop a
 * state not renewed for 30 s (y-protocols' outdatedTimeout).
 */
import * as awarenessProtocol from 'y-protocols/awareness';
import { encodeAwarenessMessage } from '../protocol/codec.js';
import type { AwarenessChange } from './room-events.js';
import type { RoomPeer } from './room-peer.js';

/** What the batch sends through: a room's presence and its peers at the end of the turn. */
export interface AwarenessBatchTarget {
  readonly awareness: awarenessProtocol.Awareness;
  readonly isDestroyed: boolean;
  readonly peerCount: number;
  readonly peers: Iterable<RoomPeer>;
}

export class AwarenessBatch {
  readonly #target: AwarenessBatchTarget;
  #added = new Set<number>();
  #updated = new Set<number>();
  #removed = new Set<number>();
  /** The ids each origin (a peer, for peers' own changes) changed in this turn. */
  #byOrigin = new Map<unknown, Set<number>>();
  #scheduled = false;

  constructor(target: AwarenessBatchTarget) {
    this.#target = target;
  }

  /** Records one change of the room's presence; sent when the current turn's work is done. */
  add(change: AwarenessChange, origin: unknown): void {
    for (const id of change.added) {
      this.#removed.delete(id);
      if (!this.#updated.has(id)) this.#added.add(id);
    }
    for (const id of change.updated) {
      if (!this.#added.has(id) && !this.#removed.has(id)) this.#updated.add(id);
    }
    for (const id of change.removed) {
      this.#added.delete(id);
      this.#updated.delete(id);
      this.#removed.add(id);
    }
    if (origin !== null && typeof origin === 'object') {
      let ids = this.#byOrigin.get(origin);
      if (!ids) this.#byOrigin.set(origin, (ids = new Set()));
      for (const id of [...change.added, ...change.updated, ...change.removed]) ids.add(id);
    }
    if (this.#scheduled) return;
    this.#scheduled = true;
    // After the inbox's drain of this room (a setImmediate) has applied everything of the turn.
    process.nextTick(this.#flush);
  }

  readonly #flush = (): void => {
    this.#scheduled = false;
    const changed = [...this.#added, ...this.#updated, ...this.#removed];
    const byOrigin = this.#byOrigin;
    this.#added = new Set();
    this.#updated = new Set();
    this.#removed = new Set();
    this.#byOrigin = new Map();
    const target = this.#target;
    if (target.isDestroyed || target.peerCount === 0 || changed.length === 0) return;
    const encode = (ids: number[]): Uint8Array => encodeAwarenessMessage(awarenessProtocol.encodeAwarenessUpdate(target.awareness, ids));
    let shared: Uint8Array | null = null;
    for (const peer of target.peers) {
      const own = byOrigin.get(peer);
      if (own === undefined) {
        peer.send((shared ??= encode(changed)));
        continue;
      }
      const rest = changed.filter((id) => !own.has(id));
      if (rest.length > 0) peer.send(encode(rest));
    }
  };
}
