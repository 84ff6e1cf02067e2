/**
 * The worker side of a content write (document-write.ts): a document's state, a body and a mode
 * in, the Yjs updates that make the change out (only the delta, never the whole state).
 *
 * The edit is made on a private Y.Doc rebuilt from the state. `replace` diffs the new content
 * against the document's XmlFragment with y-prosemirror's `updateYFragment` (what the editor does
 * on every transaction), so blocks that did not change keep their Yjs items: a live editor's
 * caret and text typed into them meanwhile survive. `append` inserts the new blocks after the last
 * one. Either way the update's insertions reference items of the state, which the live document
 * still holds (a document only grows), so it always applies there, merging with edits made since.
 *
 * The delta comes back as a list of updates of about CHUNK_BYTES each, in order: the edit runs as
 * many small transactions here (each operation apart, new top-level blocks BLOCKS_PER_INSERT at a
 * time) and consecutive ones are merged, so the main thread can apply a large write over several
 * turns instead of stalling on it (an item only ever references items created before it, so each
 * prefix of the list applies on its own).
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

/** Target size of one update in the returned list (a single operation may exceed it). */
export const CHUNK_BYTES = 256 * 1024;
/** New top-level blocks per insertion (per transaction): a transaction each would cost more than the insert. */
const BLOCKS_PER_INSERT = 50;

/**
 * The updates that apply the edit, in order (none when it changes nothing); throws ContentError
 * for a body that is not content.
 */
export function editContent({ state, body, type, mode }: ContentEdit): Uint8Array[] {
  const blocks = parseContent(body, type);
  const copy = new Y.Doc();
  try {
    Y.applyUpdate(copy, state);
    const chunks = new UpdateChunks();
    copy.on('update', (update: Uint8Array) => chunks.add(update));
    const fragment = copy.getXmlFragment(DOCUMENT_FIELD);
    if (mode === 'replace') replaceBlocks(fragment, blocks);
    else appendBlocks(fragment, blocks);
    return chunks.finish();
  } finally {
    copy.destroy();
  }
}

/**
 * y-prosemirror wraps its changes in `y.transact`; a pass-through (as its own
 * prosemirrorToYXmlFragment uses for detached fragments) leaves each operation its own transaction.
 */
const EACH_OPERATION_APART = { transact: (fn: () => void): void => fn() };

/** An empty body clears the document to one empty paragraph, which is what an editor shows. */
function replaceBlocks(fragment: Y.XmlFragment, blocks: Fragment): void {
  const pmDoc = getEditorSchema().topNodeType.createAndFill(null, blocks);
  if (!pmDoc) throw new Error('the editor schema cannot hold these blocks');
  // updateYFragment inserts all new top-level blocks in one call (one transaction, so one update
  // for a whole new document): here they go in BLOCKS_PER_INSERT at a time, the same result in
  // separate updates.
  const insertAll = fragment.insert.bind(fragment);
  fragment.insert = (index, content): void => {
    for (let offset = 0; offset < content.length; offset += BLOCKS_PER_INSERT) insertAll(index + offset, content.slice(offset, offset + BLOCKS_PER_INSERT));
  };
  updateYFragment(EACH_OPERATION_APART, fragment, pmDoc, { mapping: new Map(), isOMark: new Map() });
}

/** Builds the blocks' Y types in a scratch document, then inserts copies at the end. */
function appendBlocks(fragment: Y.XmlFragment, blocks: Fragment): void {
  if (blocks.childCount === 0) return;
  const scratch = new Y.Doc();
  try {
    const built = scratch.getXmlFragment(DOCUMENT_FIELD);
    prosemirrorToYXmlFragment(getEditorSchema().topNodeType.create(null, blocks), built);
    // y-prosemirror builds elements and texts only (no hooks).
    const copies = built.toArray().flatMap((child) => (child instanceof Y.XmlElement || child instanceof Y.XmlText ? [child.clone()] : []));
    for (let offset = 0; offset < copies.length; offset += BLOCKS_PER_INSERT) fragment.insert(fragment.length, copies.slice(offset, offset + BLOCKS_PER_INSERT));
  } finally {
    scratch.destroy();
  }
}

/** Collects transaction updates and merges consecutive ones into chunks of about CHUNK_BYTES. */
class UpdateChunks {
  readonly #chunks: Uint8Array[] = [];
  #pending: Uint8Array[] = [];
  #pendingBytes = 0;

  add(update: Uint8Array): void {
    this.#pending.push(update);
    this.#pendingBytes += update.byteLength;
    if (this.#pendingBytes >= CHUNK_BYTES) this.#flush();
  }

  finish(): Uint8Array[] {
    this.#flush();
    return this.#chunks;
  }

  #flush(): void {
    if (this.#pending.length === 0) return;
    this.#chunks.push(this.#pending.length === 1 ? this.#pending[0]! : Y.mergeUpdates(this.#pending));
    this.#pending = [];
    this.#pendingBytes = 0;
  }
}
