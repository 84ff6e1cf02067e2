/**
 * Sends a room's changes to its connected peers: document updates as sync updates, each encoded
 * once for all receivers, and presence as one merged awareness message per peer per turn
 * (awareness-batch.ts). A change never goes back to the peer it came from; everything else (lease
 * edits, relayed and caught-up content) goes to every peer.
 *
 * In a hot room (a presence window of HOLD_UPDATES_FROM_WINDOW_MS or more: about 100 peers)
 * while presence is flowing (changes waiting, or sent less than HOLD_FOR_WINDOWS windows ago),
 * updates wait for the next presence send (at most a window) and go out merged with it, one
 * write per receiver per window
 * (held-updates.ts, AwarenessBatch.holdsUpdates); with cursors still they go at once (a hot room
 * of readers gets its edits without the window's delay). Once an update is held, later ones are
 * held too until the hold is sent, so updates never overtake each other.
 */
import { encodeSyncUpdate } from '../protocol/codec.js';
import type { ObservableV2 } from 'lib0/observable';
import type { Clock } from '../clock.js';
import { AwarenessBatch, presenceWindowMs, type AwarenessBatchTarget } from './awareness-batch.js';
import { HeldUpdates } from './held-updates.js';
import type { RoomEvents } from './room-events.js';

/** What is broadcast: a Room (its events, peers and presence). */
export type BroadcastSource = AwarenessBatchTarget & Pick<ObservableV2<RoomEvents>, 'on' | 'off'>;

/** Subscribes; returns the unsubscribe function. */
export function broadcastRoomChanges(
  room: BroadcastSource,
  windowFor: (peers: number) => number = presenceWindowMs,
  clock?: Clock,
): () => void {
  const held = new HeldUpdates();
  const presence = new AwarenessBatch(room, windowFor, held, clock);
  const onUpdate: RoomEvents['update'] = (update, origin) => {
    if (room.peerCount === 0) return;
    const sender = origin?.source === 'client' ? origin.peer : null;
    // Held only while presence is flowing: a hot room without moving cursors (or a lull in them)
    // gets its edits at once, as a small room does.
    if (!held.isEmpty || presence.holdsUpdates) {
      held.add(update, sender);
      presence.schedule();
      return;
    }
    const message = encodeSyncUpdate(update);
    for (const peer of room.peers) {
      if (peer !== sender) peer.send(message);
    }
  };
  const onAwareness: RoomEvents['awareness'] = (change, origin) => {
    if (room.peerCount === 0) return;
    presence.add(change, origin);
  };
  room.on('update', onUpdate);
  room.on('awareness', onAwareness);
  return () => {
    room.off('update', onUpdate);
    room.off('awareness', onAwareness);
  };
}
