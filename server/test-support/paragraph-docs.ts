/** Editor-shaped test content: documents of plain paragraphs, written and read as the editor would. */
import * as Y from 'yjs';
import { prosemirrorJSONToYXmlFragment } from '@tiptap/y-tiptap';
import { toPlainText, updateToProseMirror } from '../../shared/document-content.js';
import { DOCUMENT_FIELD, getEditorSchema } from '../../shared/editor-schema.js';

export function paragraphsJson(...texts: string[]): { type: 'doc'; content: object[] } {
  return { type: 'doc', content: texts.map((text) => ({ type: 'paragraph', content: text === '' ? [] : [{ type: 'text', text }] })) };
}

/** Replaces nothing: appends the paragraphs to the document's fragment, in one transaction. */
export function writeParagraphs(doc: Y.Doc, ...texts: string[]): void {
  prosemirrorJSONToYXmlFragment(getEditorSchema(), paragraphsJson(...texts), doc.getXmlFragment(DOCUMENT_FIELD));
}

/** The Y.XmlText of the document's `index`-th paragraph (keep it: it stays that paragraph's text). */
export function paragraphText(doc: Y.Doc, index: number): Y.XmlText {
  return (doc.getXmlFragment(DOCUMENT_FIELD).get(index) as Y.XmlElement).get(0) as Y.XmlText;
}

/** Plain text, one line per paragraph, as `format=text` renders it. */
export function plainText(doc: Y.Doc): string {
  return toPlainText(updateToProseMirror(Y.encodeStateAsUpdate(doc)));
}

export function plainTextOf(state: Uint8Array): string {
  return toPlainText(updateToProseMirror(state));
}
