/**
 * The worker side of a content write (document-write.ts): a document's state, a body and a mode
 * in, the Yjs update that makes the change out (only the delta, never the whole state).
 *
 * The edit is made on a private Y.Doc rebuilt from the state. `replace` diffs the new content
 * against the document's XmlFragment with y-prosemirror's `updateYFragment` (what the editor does
 * on every transaction), so blocks that did not change keep their Yjs items: a live editor's
 * caret and text typed into them meanwhile survive. `append` inserts the new blocks after the last
 * one. Either way the update's insertions reference items of the state, which the live document
 * still holds (a document only grows), so it always applies there, merging with edits made since.
 */
import * as Y from 'yjs';
import type { Fragment } from '@tiptap/pm/model';
import { prosemirrorToYXmlFragment, updateYFragment } from '@tiptap/y-tiptap';
import { DOCUMENT_FIELD, getEditorSchema } from '../../shared/editor-schema.js';
import type { ContentType } from './content-error.js';
import { parseContent } from './parse-content.js';

export type EditMode = 'replace' | 'append';

export interface ContentEdit {
  /** The document's full state (Y.encodeStateAsUpdate of the live document). */
  state: Uint8Array;
  /** The request body, UTF-8. */
  body: Uint8Array;
  type: ContentType;
  mode: EditMode;
}

/** The update that applies the edit; throws ContentError for a body that is not content. */
export function editContent({ state, body, type, mode }: ContentEdit): Uint8Array {
  const blocks = parseContent(body, type);
  const copy = new Y.Doc();
  try {
    Y.applyUpdate(copy, state);
    const before = Y.encodeStateVector(copy);
    const fragment = copy.getXmlFragment(DOCUMENT_FIELD);
    if (mode === 'replace') replaceBlocks(copy, fragment, blocks);
    else appendBlocks(copy, fragment, blocks);
    return Y.encodeStateAsUpdate(copy, before);
  } finally {
    copy.destroy();
  }
}

/** An empty body clears the document to one empty paragraph, which is what an editor shows. */
function replaceBlocks(doc: Y.Doc, fragment: Y.XmlFragment, blocks: Fragment): void {
  const pmDoc = getEditorSchema().topNodeType.createAndFill(null, blocks);
  if (!pmDoc) throw new Error('the editor schema cannot hold these blocks');
  updateYFragment(doc, fragment, pmDoc, { mapping: new Map(), isOMark: new Map() });
}

/** Builds the blocks' Y types in a scratch document, then inserts copies at the end. */
function appendBlocks(doc: Y.Doc, fragment: Y.XmlFragment, blocks: Fragment): void {
  if (blocks.childCount === 0) return;
  const scratch = new Y.Doc();
  try {
    const built = scratch.getXmlFragment(DOCUMENT_FIELD);
    prosemirrorToYXmlFragment(getEditorSchema().topNodeType.create(null, blocks), built);
    // y-prosemirror builds elements and texts only (no hooks).
    const copies = built.toArray().flatMap((child) => (child instanceof Y.XmlElement || child instanceof Y.XmlText ? [child.clone()] : []));
    doc.transact(() => fragment.insert(fragment.length, copies));
  } finally {
    scratch.destroy();
  }
}
