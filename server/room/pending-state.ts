/**
 * What Yjs holds pending in a document: structs and deletions whose dependencies (changes by
 * other clients) have not arrived. Such content is in no 'update' event until the dependencies
 * come, so the room compares this before and after applying a client's update to learn that the
 * update itself must be stored (or an acknowledgement would promise something nobody kept).
 */
import type * as Y from 'yjs';

export interface PendingState {
  structs: Uint8Array | null;
  deletes: Uint8Array | null;
}

export function pendingStateOf(doc: Y.Doc): PendingState {
  return { structs: doc.store.pendingStructs?.update ?? null, deletes: doc.store.pendingDs };
}

/**
 * True when something is pending after that was not before. Yjs re-encodes the pending delete
 * set on every update while one is held, so new bytes are compared, not only new arrays.
 */
export function hasNewPending(before: PendingState, after: PendingState): boolean {
  return isNew(before.structs, after.structs) || isNew(before.deletes, after.deletes);
}

function isNew(before: Uint8Array | null, after: Uint8Array | null): boolean {
  if (after === null || after === before) return false;
  if (before === null || before.length !== after.length) return true;
  return !Buffer.from(before.buffer, before.byteOffset, before.byteLength).equals(after);
}
