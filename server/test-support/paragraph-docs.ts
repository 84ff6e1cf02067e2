/** Editor-shaped test content: documents of plain paragraphs, written and read as the editor would. */
import * as Y from 'yjs';
import { toPlainText, updateToProseMirror } from '../../shared/document-content.js';
import { DOCUMENT_FIELD } from '../../shared/editor-schema.js';

/** Appends the paragraphs to the document's fragment, in one transaction, as the editor binding would write them. */
export function writeParagraphs(doc: Y.Doc, ...texts: string[]): void {
  const fragment = doc.getXmlFragment(DOCUMENT_FIELD);
  const paragraphs = texts.map((text) => {
    const paragraph = new Y.XmlElement('paragraph');
    if (text !== '') paragraph.insert(0, [new Y.XmlText(text)]);
    return paragraph;
  });
  doc.transact(() => fragment.insert(fragment.length, paragraphs));
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
