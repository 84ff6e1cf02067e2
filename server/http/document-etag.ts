/**
 * The ETag of a document's state: SHA-256 of the encoded Yjs snapshot (state vector + delete
 * set), base64url, as a strong validator `"…"`.
 *
 * The state vector changes on every insertion and the delete set on every deletion, so any edit
 * changes the tag. Yjs builds the delete set from the struct store merging adjacent deleted
 * structs, so a live room and a copy rebuilt from the store give the same tag for the same state.
 * Updates Yjs holds pending (missing dependencies) are in neither, and do not change the tag
 * until they integrate.
 */
import { createHash } from 'node:crypto';
import * as Y from 'yjs';

export function documentEtag(doc: Y.Doc): string {
  const digest = createHash('sha256').update(Y.encodeSnapshot(Y.snapshot(doc))).digest('base64url');
  return `"${digest.slice(0, 32)}"`;
}

/** The tag of a document given as one update (a copy is built; the update is not changed). */
export function updateEtag(update: Uint8Array): string {
  const doc = new Y.Doc();
  try {
    Y.applyUpdate(doc, update);
    return documentEtag(doc);
  } finally {
    doc.destroy();
  }
}

/**
 * Whether an `If-None-Match` / `If-Match` header value names `etag` (`*` matches any). Weak
 * tags (`W/"…"`) compare by their opaque part, as RFC 9110 allows for If-None-Match.
 */
export function headerMatchesEtag(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  return header.split(',').some((part) => {
    const tag = part.trim();
    return tag === '*' || tag === etag || tag === `W/${etag}`;
  });
}
