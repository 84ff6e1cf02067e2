/**
 * Sends a room's changes to its connected peers: document updates as sync updates, each encoded
 * once for all receivers, and presence as one merged awareness message per peer per turn
 * (awareness-batch.ts). A change never goes back to the peer it came from; everything else (lease
 * edits, relayed and caught-up content) goes to every peer.
 */
import { encodeSyncUpdate } from '../protocol/codec.js';
import { AwarenessBatch } from './awareness-batch.js';
import type { Room } from './room.js';
import type { RoomEvents } from './room-events.js';

/** Subscribes; returns the unsubscribe function. */
export function broadcastRoomChanges(room: Room): () => void {
  const onUpdate: RoomEvents['update'] = (update, origin) => {
    if (room.peerCount === 0) return;
    const sender = origin?.source === 'client' ? origin.peer : null;
    const message = encodeSyncUpdate(update);
    for (const peer of room.peers) {
      if (peer !== sender) peer.send(message);
    }
  };
  const presence = new AwarenessBatch(room);
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
