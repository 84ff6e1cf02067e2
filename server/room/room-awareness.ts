/**
 * A room's presence: its y-protocols Awareness, who holds each awareness client id, and the
 * full-state message that joiners and query-awareness get.
 *
 * A peer's awareness update is judged entry by entry first (awareness-guard.ts): a connection may
 * set and remove only the ids it introduced (or took over from a connection of its own token
 * subject), within the size and id limits of its RoomPeer; where its token names the user, that
 * name replaces the one in the state. Only the accepted entries are re-encoded and applied.
 *
 * Ids that changed for any other reason (server code through a lease, another process relaying
 * its peers' presence) are held by the server side, and no peer may touch them. A peer's ids are
 * removed for everyone when it leaves; they keep their holder while only their state is gone
 * (y-protocols drops a state not renewed for 30 s, and the client renews it with a newer clock).
 *
 * The full-state message is encoded once per change of presence: before, every joiner and every
 * query-awareness encoded the whole presence again (seconds of CPU after a flood).
 */
import type * as Y from 'yjs';
import * as awarenessProtocol from 'y-protocols/awareness';
import type { Logger } from 'pino';
import { CloseCode } from '../../shared/protocol.js';
import { encodeAwarenessMessage } from '../protocol/codec.js';
import type { RoomPeer } from './room-peer.js';
import type { AwarenessChange } from './room-events.js';
import { addControlledId, controlledIdList, type ControlledIds } from './controlled-ids.js';
import { decodeAwarenessEntries, encodeAwarenessEntries, judgeAwarenessUpdate, withDisplayName, type AwarenessJudgement, type IdStanding } from './awareness-guard.js';

export interface RoomAwarenessOptions {
  doc: Y.Doc;
  /** The document's name, for log lines. */
  name: string;
  logger: Logger;
  /** Called on every change of presence (after the holders are recorded), with its origin. */
  onChange: (change: AwarenessChange, origin: unknown) => void;
}

/** Holder of ids no peer set: the server's own, and those relayed from other processes. */
const SERVER_SIDE = 'server-side';
type Holder = RoomPeer | typeof SERVER_SIDE;

export class RoomAwareness {
  readonly awareness: awarenessProtocol.Awareness;
  readonly #name: string;
  readonly #logger: Logger;
  readonly #onChange: RoomAwarenessOptions['onChange'];
  readonly #holders = new Map<number, Holder>();
  /**
   * Per peer, every id it introduced over its life, held now or not (bounded by its maxIds). The
   * ids are the value itself, not a field of a record: one object less per connection.
   */
  readonly #peers = new Map<RoomPeer, ControlledIds>();
  /** Everyone's presence as one awareness message; null when it changed since it was encoded. */
  #fullMessage: Uint8Array | null = null;

  constructor(options: RoomAwarenessOptions) {
    this.#name = options.name;
    this.#logger = options.logger;
    this.#onChange = options.onChange;
    this.awareness = new awarenessProtocol.Awareness(options.doc);
    this.awareness.setLocalState(null);
    // The room's own id is the server's, even while it has no state.
    this.#holders.set(this.awareness.clientID, SERVER_SIDE);
    this.awareness.on('update', this.#onUpdate);
  }

  get hasStates(): boolean {
    return this.awareness.getStates().size > 0;
  }

  /** Everyone's presence in one awareness message, encoded once per change. */
  get fullMessage(): Uint8Array {
    const states = this.awareness.getStates();
    this.#fullMessage ??= encodeAwarenessMessage(awarenessProtocol.encodeAwarenessUpdate(this.awareness, [...states.keys()]));
    return this.#fullMessage;
  }

  attach(peer: RoomPeer): void {
    this.#peers.set(peer, null);
  }

  /** Removes, for everyone, the ids `peer` still holds (not those taken over from it since). */
  detach(peer: RoomPeer): void {
    const introduced = this.#peers.get(peer);
    if (introduced === undefined) return;
    this.#peers.delete(peer);
    const held = controlledIdList(introduced).filter((id) => this.#holders.get(id) === peer);
    for (const id of held) this.#holders.delete(id);
    if (held.length > 0) awarenessProtocol.removeAwarenessStates(this.awareness, held, null);
  }

  /**
   * Applies what `peer` may change of its awareness update, and reports refused entries to it.
   * Returns false when the peer was closed for the update (nothing of it applied).
   */
  receive(peer: RoomPeer, update: Uint8Array): boolean {
    let introduced = this.#peers.get(peer);
    // A peer that left or is closing introduces nothing: its ids would outlive it.
    if (introduced === undefined || !peer.isOpen) return true;
    let judgement: AwarenessJudgement;
    try {
      const entries = decodeAwarenessEntries(update);
      judgement = judgeAwarenessUpdate(entries, (id) => this.#standing(peer, id), { introduced: controlledIdList(introduced) }, peer.awarenessLimits);
    } catch (error) {
      this.#logger.warn({ doc: this.#name, connId: peer.id, code: CloseCode.invalidData, err: error }, 'bad awareness update; closing connection');
      peer.close(CloseCode.invalidData, 'bad awareness update');
      return false;
    }
    if (judgement.close) {
      const { code, reason } = judgement.close;
      this.#logger.warn({ doc: this.#name, connId: peer.id, code }, `${reason}; closing connection`);
      peer.close(code, reason);
      return false;
    }
    for (const id of judgement.claimed) {
      introduced = addControlledId(introduced, id);
      this.#holders.set(id, peer);
    }
    if (judgement.claimed.length > 0) this.#peers.set(peer, introduced);
    if (judgement.accepted.length > 0) {
      const name = peer.displayName;
      const accepted = name === null ? judgement.accepted : judgement.accepted.map((entry) => ({ ...entry, state: withDisplayName(entry.state, name) }));
      awarenessProtocol.applyAwarenessUpdate(this.awareness, encodeAwarenessEntries(accepted), peer);
    }
    if (judgement.refused > 0) peer.refusedAwareness(judgement.refused);
    return true;
  }

  destroy(): void {
    this.awareness.off('update', this.#onUpdate);
    this.awareness.destroy();
    this.#holders.clear();
    this.#peers.clear();
    this.#fullMessage = null;
  }

  #standing(peer: RoomPeer, id: number): IdStanding {
    const holder = this.#holders.get(id);
    return {
      clock: this.awareness.meta.get(id)?.clock ?? 0,
      hasState: this.awareness.states.has(id),
      holder:
        holder === undefined
          ? 'none'
          : holder === peer
            ? 'sender'
            : holder !== SERVER_SIDE && peer.subject !== null && holder.subject === peer.subject
              ? 'same-subject'
              : 'other',
    };
  }

  readonly #onUpdate = (change: AwarenessChange, origin: unknown): void => {
    this.#fullMessage = null;
    // Peers' ids are recorded when judged; anything else changed them on the server's side.
    if (!this.#peers.has(origin as RoomPeer)) {
      for (const id of change.added) if (!this.#holders.has(id)) this.#holders.set(id, SERVER_SIDE);
      for (const id of change.updated) if (!this.#holders.has(id)) this.#holders.set(id, SERVER_SIDE);
      for (const id of change.removed) {
        if (this.#holders.get(id) === SERVER_SIDE && id !== this.awareness.clientID) this.#holders.delete(id);
      }
    }
    this.#onChange(change, origin);
  };
}
