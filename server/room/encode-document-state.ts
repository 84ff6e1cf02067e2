/**
 * A document's whole state as one update, for storage (compaction snapshots): everything
 * integrated, plus what Yjs holds pending (doc.store.pendingStructs / pendingDs: updates whose
 * dependencies have not arrived). Pending content is acknowledged once stored, so a snapshot that
 * left it out would drop it from the store for good.
 *
 * Yjs's own encodeStateAsUpdate (13.5 and later) already merges the pending structs and delete
 * set into its result; this is the one place that relies on it, and
 * encode-document-state.test.ts fails if a Yjs upgrade stops doing so.
 */
import * as Y from 'yjs';

export function encodeDocumentState(doc: Y.Doc): Uint8Array {
  return Y.encodeStateAsUpdate(doc);
}
