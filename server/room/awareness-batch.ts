/**
 * A room's presence changes, collected and sent together: every peer gets ONE awareness message
 * holding every client state that changed since the last one, instead of one message per change.
 * In a document with N people each moving a cursor once a second, that is what keeps the frames
 * per second from growing as N².
 *
 * A change goes out at the end of the turn it happened in (after the inbox's drain, which applies
 * everything that arrived for the document in the turn), but a room sends at most one presence
 * message per window: changes within the window wait for its end. The window grows with the
 * room, so that its presence frames stay under PRESENCE_FRAMES_PER_SECOND in all (3.2 ms for 20
 * peers, 40 ms for 250), up to PRESENCE_WINDOW_MS (from 500 peers on): a small room's cursors
 * are not held back, and a hot room's leave in at most 12.5 frames per peer a second, whatever
 * N. The cap keeps a held edit's delay (held-updates.ts) under 100 ms with room to deliver it.
 * Every frame sent costs a socket write, and comes back as an echo from stock clients: in a hot
 * document those two were most of the server's work.
 *
 * A peer is not sent the states it changed itself (it has them), unless its client declared that
 * it sends only its own presence (OWN_PRESENCE_PARAM): then it gets the message everyone else
 * does, one frame for all, where each stock client that moved needs one of its own. Entries are
 * ordered as y-protocols reports them to a stock client — added, then updated, then removed —
 * so the message a y-websocket client echoes back (it re-sends every change it receives, in that
 * order) is byte-identical to the one it got, and counts as an echo (awareness-echoes.ts). Each
 * entry is encoded once (y-protocols' layout: client id, clock, state as JSON) and shared by
 * every message that carries it.
 *
 * A hot room's document updates ride along (held-updates.ts): held until the next send, each
 * receiver gets the window's merged update and its presence message in one write (sendAll).
 *
 * States that did not change are not re-sent: the room applies only entries that change
 * something (awareness-guard.ts). A renewal with the same state is still sent: receivers drop a
 * state not renewed for 30 s (y-protocols' outdatedTimeout).
 */
import type * as awarenessProtocol from 'y-protocols/awareness';
import * as encoding from 'lib0/encoding';
import { encodeAwarenessMessage } from '../protocol/codec.js';
import type { AwarenessChange } from './room-events.js';
import { sendAll, type RoomPeer } from './room-peer.js';
import { monotonicClock, type Clock } from '../clock.js';
import { HOLD_UPDATES_FROM_WINDOW_MS, type HeldUpdates } from './held-updates.js';

/**
 * The longest a presence change waits for others: at most 12.5 frames per peer a second. Hot doc
 * at 500 people (bench): server CPU 12 % of a core at 80 ms, 15 % at 50 ms, for an edit p99 of
 * 82 ms instead of 55.
 */
export const PRESENCE_WINDOW_MS = 80;
/** Presence frames a room aims to stay under, summed over its peers. */
export const PRESENCE_FRAMES_PER_SECOND = 6_250;
/**
 * For how many windows after a presence send a hot room still counts its cursors as moving, and
 * holds its edits: cursors come in bursts (a busy tab, a network hiccup), and an edit sent alone
 * in a lull between them costs every receiver a write of its own. Hot doc at 1,000 people (bench,
 * one window): 39 % of the edits had gone alone.
 */
export const HOLD_FOR_WINDOWS = 4;

/** The window for a room of `peers`: its presence frames under the budget, at most PRESENCE_WINDOW_MS. */
export function presenceWindowMs(peers: number): number {
  return Math.min(PRESENCE_WINDOW_MS, (peers * 1000) / PRESENCE_FRAMES_PER_SECOND);
}

/** What the batch sends through: a room's presence and its peers when the batch goes out. */
export interface AwarenessBatchTarget {
  readonly awareness: awarenessProtocol.Awareness;
  readonly isDestroyed: boolean;
  readonly peerCount: number;
  readonly peers: Iterable<RoomPeer>;
}

export class AwarenessBatch {
  readonly #target: AwarenessBatchTarget;
  readonly #windowFor: (peers: number) => number;
  #added = new Set<number>();
  #updated = new Set<number>();
  #removed = new Set<number>();
  /** The ids each origin (a peer, for peers' own changes) changed since the last send. */
  #byOrigin = new Map<unknown, Set<number>>();
  #scheduled = false;
  #lastSentAt = -Infinity;
  /** When the last send that carried presence went out. */
  #lastPresenceAt = -Infinity;
  readonly #held: HeldUpdates | null;
  readonly #clock: Clock;

  constructor(
    target: AwarenessBatchTarget,
    windowFor: (peers: number) => number = presenceWindowMs,
    held: HeldUpdates | null = null,
    clock: Clock = monotonicClock,
  ) {
    this.#target = target;
    this.#windowFor = windowFor;
    this.#held = held;
    this.#clock = clock;
  }

  /** Records one change of the room's presence, to be sent with the others of its window. */
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
      for (const id of change.added) ids.add(id);
      for (const id of change.updated) ids.add(id);
      for (const id of change.removed) ids.add(id);
    }
    this.schedule();
  }

  /** Presence changes are waiting for their send. */
  get hasPendingChanges(): boolean {
    return this.#added.size + this.#updated.size + this.#removed.size > 0;
  }

  /**
   * Whether a document update should wait for this room's next send (held-updates.ts): in a hot
   * room, while presence is flowing — changes are waiting, or presence went out less than
   * HOLD_FOR_WINDOWS windows ago, so more is likely soon. Each receiver then gets one write per
   * window carrying both; an edit sent at once would cost a write of its own, and the presence
   * right after it another. A hot room whose cursors are still sends edits at once.
   */
  get holdsUpdates(): boolean {
    const window = this.#windowFor(this.#target.peerCount);
    if (window < HOLD_UPDATES_FROM_WINDOW_MS) return false;
    return this.hasPendingChanges || this.#clock.now() - this.#lastPresenceAt < HOLD_FOR_WINDOWS * window;
  }

  /**
   * Sends at the end of this turn, or at the end of the window if one was sent within it. A held
   * update with no presence waiting (a lull) waits one window for presence to ride with.
   */
  schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    const window = this.#windowFor(this.#target.peerCount);
    let wait = this.#lastSentAt + window - this.#clock.now();
    if (wait <= 0 && !this.hasPendingChanges && this.#held?.isEmpty === false) wait = window;
    // After the inbox's drain of this room (a setImmediate) has applied everything of the turn.
    if (wait <= 0) process.nextTick(this.#send);
    else this.#clock.setTimer(this.#send, wait);
  }

  readonly #send = (): void => {
    this.#scheduled = false;
    this.#lastSentAt = this.#clock.now();
    const changed = [...this.#added, ...this.#updated, ...this.#removed];
    const byOrigin = this.#byOrigin;
    this.#added = new Set();
    this.#updated = new Set();
    this.#removed = new Set();
    this.#byOrigin = new Map();
    const updates = this.#held?.take() ?? null;
    const target = this.#target;
    if (target.isDestroyed || target.peerCount === 0) return;
    if (changed.length === 0) {
      if (updates) for (const peer of target.peers) sendWith(peer, updates.messageFor(peer), null);
      return;
    }
    this.#lastPresenceAt = this.#lastSentAt;
    const entries = changed.map((id) => encodeEntry(target.awareness, id));
    let shared: Uint8Array | null = null;
    // The common pair (shared update, shared presence) as one array, so the transport frames it once.
    let sharedPair: Uint8Array[] | null = null;
    for (const peer of target.peers) {
      // A client that declared it does not echo may get its own states back (it ignores them).
      const own = peer.sendsOwnPresenceOnly === true ? undefined : byOrigin.get(peer);
      const update = updates?.messageFor(peer) ?? null;
      if (own === undefined) {
        shared ??= encodeMessage(entries);
        if (update !== null && update === updates?.shared) sendAll(peer, (sharedPair ??= [update, shared]));
        else sendWith(peer, update, shared);
        continue;
      }
      const rest = entries.filter((_entry, i) => !own.has(changed[i]!));
      sendWith(peer, update, rest.length > 0 ? encodeMessage(rest) : null);
    }
  };
}

/** A window's update (first: it is older than the presence it travels with) and presence for one peer. */
function sendWith(peer: RoomPeer, update: Uint8Array | null, presence: Uint8Array | null): void {
  if (update !== null && presence !== null) sendAll(peer, [update, presence]);
  else if (update !== null) peer.send(update);
  else if (presence !== null) peer.send(presence);
}

/** One entry as y-protocols' encodeAwarenessUpdate writes it (a gone state as null). */
function encodeEntry(awareness: awarenessProtocol.Awareness, clientID: number): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, clientID);
  encoding.writeVarUint(encoder, awareness.meta.get(clientID)?.clock ?? 0);
  encoding.writeVarString(encoder, JSON.stringify(awareness.getStates().get(clientID) || null));
  return encoding.toUint8Array(encoder);
}

function encodeMessage(entries: readonly Uint8Array[]): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, entries.length);
  for (const entry of entries) encoding.writeUint8Array(encoder, entry);
  return encodeAwarenessMessage(encoding.toUint8Array(encoder));
}
