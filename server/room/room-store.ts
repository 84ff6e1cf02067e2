/**
 * Hands a room's changes to its DocumentWriter, and tells the room when the writer has caught up.
 *
 * Stored: client and lease edits, untagged local edits, and the client updates Yjs holds pending.
 * Not stored: the stored state itself, and content relayed from (pubsub) or caught up with
 * (catch-up) another process, which that process or the store already holds.
 */
import type { DocumentWriter } from '../persistence/document-writer.js';
import type { Room } from './room.js';
import type { RoomEvents } from './room-events.js';
import type { UpdateOrigin } from './room-peer.js';

export function isStoredOrigin(origin: UpdateOrigin | null): boolean {
  return origin === null || origin.source === 'client' || origin.source === 'lease';
}

/** Subscribes; returns the unsubscribe function. Emits the room's `durable` event. */
export function storeRoomChanges(room: Room, writer: DocumentWriter): () => void {
  let awaitingDurable = false;
  // Once per catch-up, not per update: re-armed while newer writes are still pending.
  const onDurable = (): void => {
    if (writer.hasUnsavedChanges) {
      writer.onDurable(onDurable);
      return;
    }
    awaitingDurable = false;
    room.emit('durable', []);
  };
  const enqueue = (update: Uint8Array): void => {
    writer.enqueue(update);
    if (awaitingDurable) return;
    awaitingDurable = true;
    writer.onDurable(onDurable);
  };
  const onUpdate: RoomEvents['update'] = (update, origin) => {
    if (isStoredOrigin(origin)) enqueue(update);
  };
  const onPending: RoomEvents['pending'] = (update) => enqueue(update);
  room.on('update', onUpdate);
  room.on('pending', onPending);
  return () => {
    room.off('update', onUpdate);
    room.off('pending', onPending);
  };
}
