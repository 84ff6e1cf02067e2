/**
 * A document's Yjs state → ProseMirror JSON, HTML or plain text, with the shared editor schema.
 *
 * The conversion reads a private copy of the state: y-prosemirror "repairs" content it cannot fit
 * into the schema by deleting it from the Y.Doc it reads, and an export must never write to a
 * live document (the deletion would be stored and broadcast to every editor).
 */
import * as Y from 'yjs';
import { getText, getTextSerializersFromSchema, type JSONContent } from '@tiptap/core';
import type { Node as PMNode } from '@tiptap/pm/model';
import { yXmlFragmentToProseMirrorRootNode } from '@tiptap/y-tiptap';
import { DOCUMENT_FIELD, getEditorSchema } from './editor-schema.js';
import { renderNodeContentToHtml } from './render-html.js';

export { DOCUMENT_FORMATS, isDocumentFormat, type DocumentFormat } from './document-format.js';

export function updateToProseMirror(update: Uint8Array): PMNode {
  const copy = new Y.Doc({ gc: true });
  try {
    Y.applyUpdate(copy, update);
    return yXmlFragmentToProseMirrorRootNode(copy.getXmlFragment(DOCUMENT_FIELD), getEditorSchema());
  } finally {
    copy.destroy();
  }
}

export function toJson(node: PMNode): JSONContent {
  return node.toJSON() as JSONContent;
}

export function toHtml(node: PMNode): string {
  return renderNodeContentToHtml(node);
}

/**
 * Plain text: one line per text block (paragraph, heading, list item paragraph, code block), in
 * document order; hard breaks become newlines. Nested containers add no blank lines, unlike
 * `getText`, which separates at every block boundary.
 */
export function toPlainText(node: PMNode): string {
  const serializers = getTextSerializersFromSchema(getEditorSchema());
  const lines: string[] = [];
  node.descendants((child) => {
    if (!child.isTextblock) return true;
    lines.push(getText(child, { blockSeparator: '\n', textSerializers: serializers }));
    return false;
  });
  return lines.join('\n');
}
