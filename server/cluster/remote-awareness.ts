/**
 * Presence across members, for one document: which awareness client ids in the room came from
 * which other member. Remote states are applied with a RemoteAwarenessOrigin, so the room
 * broadcasts them to its own clients but this member never publishes them again; when a member
 * leaves or times out (member-liveness.ts) its ids are removed, so its clients' cursors vanish
 * from every other member instead of staying as ghosts.
 */
import * as awarenessProtocol from 'y-protocols/awareness';
import type { AwarenessChange } from '../room/room-events.js';
import type { MemberId } from './cluster-message.js';

/** The origin of awareness changes relayed from another member. */
export class RemoteAwarenessOrigin {
  readonly source = 'pubsub';
  constructor(readonly member: MemberId) {}
}

export class RemoteAwareness {
  readonly #awareness: awarenessProtocol.Awareness;
  readonly #owners = new Map<number, MemberId>();

  constructor(awareness: awarenessProtocol.Awareness) {
    this.#awareness = awareness;
  }

  /** Applies another member's awareness update; throws on a malformed one (nothing applied then). */
  apply(update: Uint8Array, member: MemberId): void {
    awarenessProtocol.applyAwarenessUpdate(this.#awareness, update, new RemoteAwarenessOrigin(member));
  }

  /**
   * Call with every awareness change of the room. Records remote ids; returns the ids of a local
   * change that this member should publish (remote ones never are: their member did).
   */
  observe(change: AwarenessChange, origin: unknown): number[] {
    if (origin instanceof RemoteAwarenessOrigin) {
      const states = this.#awareness.getStates();
      for (const id of [...change.added, ...change.updated]) {
        if (states.has(id)) this.#owners.set(id, origin.member);
      }
      for (const id of change.removed) this.#owners.delete(id);
      return [];
    }
    const local = [...change.added, ...change.updated].filter((id) => !this.#owners.has(id));
    for (const id of change.removed) {
      // A remote id timing out here (y-protocols' 30 s outdated check) is not ours to announce.
      if (this.#owners.delete(id)) continue;
      local.push(id);
    }
    return local;
  }

  /** Removes every state another member introduced; returns how many. */
  removeMember(member: MemberId): number {
    const ids = [...this.#owners].filter(([, owner]) => owner === member).map(([id]) => id);
    if (ids.length > 0) awarenessProtocol.removeAwarenessStates(this.#awareness, ids, new RemoteAwarenessOrigin(member));
    for (const id of ids) this.#owners.delete(id);
    return ids.length;
  }

  /** Ids of the states held by this member's own clients and leases. */
  localIds(): number[] {
    return [...this.#awareness.getStates().keys()].filter((id) => !this.#owners.has(id));
  }

  get remoteCount(): number {
    return this.#owners.size;
  }
}
