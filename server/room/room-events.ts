/**
 * The events a Room emits (lib0 ObservableV2). Everything that reacts to a document (broadcast to
 * its peers, the store writer, and later cross-process fan-out, webhooks, metrics and history)
 * subscribes to these instead of being written into the room.
 *
 * Listeners run synchronously, in the order they subscribed, inside the Y.Doc's update handler:
 * keep them cheap, never throw, and never edit the document from one.
 */
import type { UpdateOrigin } from './room-peer.js';

export interface AwarenessChange {
  added: number[];
  updated: number[];
  removed: number[];
}

export interface RoomEvents {
  /**
   * The document changed, in one transaction: `update` encodes exactly that change. `origin` is
   * null for a transaction that was not tagged (server code editing `lease.doc` outside
   * `lease.transact`, an UndoManager): treat it as a local edit, like a lease's.
   */
  update: (update: Uint8Array, origin: UpdateOrigin | null) => void;
  /**
   * A client's update that Yjs holds pending, its dependencies not having arrived (see
   * pending-state.ts): not in the document yet, so not broadcast, but stored, since it is
   * acknowledged. Its content is in a later `update` once the dependencies come.
   */
  pending: (update: Uint8Array, origin: UpdateOrigin) => void;
  /** Presence changed; `origin` is the RoomPeer it came from, or anything else for local changes. */
  awareness: (change: AwarenessChange, origin: unknown) => void;
  /** The stored state has been applied to the document (once; `room.isLoaded` tells afterwards). */
  loaded: () => void;
  /** Every change so far is durable: the store writer has caught up. */
  durable: () => void;
  /** The store's log was merged into a new snapshot. */
  compacted: () => void;
  /** The room is about to be destroyed (unload after its last holder left, or shutdown); its document is still readable. */
  unloading: () => void;
}
