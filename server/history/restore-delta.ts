/**
 * The edit that turns a document's live content into a version's: y-prosemirror's
 * `updateYFragment` (from @tiptap/y-tiptap, as the editor binding uses it) rewrites the
 * `default` XmlFragment of a private copy of the live state to the version's ProseMirror
 * document, changing only the nodes that differ, and the delta is what that added to the copy.
 * Applied to the live document, it merges like any concurrent edit: what people type meanwhile
 * stays. Other shared types in the document are left as they are.
 */
import * as Y from 'yjs';
import { updateYFragment } from '@tiptap/y-tiptap';
import { updateToProseMirror } from '../../shared/document-content.js';
import { DOCUMENT_FIELD } from '../../shared/editor-schema.js';

export function computeRestoreDelta(liveState: Uint8Array, versionState: Uint8Array): Uint8Array {
  const target = updateToProseMirror(versionState);
  const copy = new Y.Doc({ gc: true });
  try {
    Y.applyUpdate(copy, liveState);
    const before = Y.encodeStateVector(copy);
    updateYFragment(copy, copy.getXmlFragment(DOCUMENT_FIELD), target, { mapping: new Map(), isOMark: new Map() });
    return Y.encodeStateAsUpdate(copy, before);
  } finally {
    copy.destroy();
  }
}
