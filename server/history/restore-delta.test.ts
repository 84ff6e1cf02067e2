import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { prosemirrorJSONToYXmlFragment } from '@tiptap/y-tiptap';
import { toPlainText, updateToProseMirror } from '../../shared/document-content.js';
import { DOCUMENT_FIELD, getEditorSchema } from '../../shared/editor-schema.js';
import { computeRestoreDelta } from './restore-delta.js';

const paragraphs = (...texts: string[]) => ({ type: 'doc', content: texts.map((text) => ({ type: 'paragraph', content: [{ type: 'text', text }] })) });

function docWith(json: object): Y.Doc {
  const doc = new Y.Doc();
  prosemirrorJSONToYXmlFragment(getEditorSchema(), json, doc.getXmlFragment(DOCUMENT_FIELD));
  return doc;
}

const textOf = (doc: Y.Doc): string => toPlainText(updateToProseMirror(Y.encodeStateAsUpdate(doc)));

function appendTo(doc: Y.Doc, paragraph: number, text: string): void {
  const element = doc.getXmlFragment(DOCUMENT_FIELD).get(paragraph) as Y.XmlElement;
  const yText = element.get(0) as Y.XmlText;
  yText.insert(yText.length, text);
}

describe('restore delta (y-prosemirror updateYFragment on a private copy)', () => {
  it('turns the live content into the version and keeps an edit made concurrently', () => {
    const version = Y.encodeStateAsUpdate(docWith(paragraphs('one', 'two', 'three')));
    const live = docWith(paragraphs('one', 'three edited', 'four'));
    const other = new Y.Doc();
    Y.applyUpdate(other, Y.encodeStateAsUpdate(live));
    const delta = computeRestoreDelta(Y.encodeStateAsUpdate(live), version);
    appendTo(other, 0, ' typed meanwhile'); // concurrent with the restore
    Y.applyUpdate(live, delta);
    Y.applyUpdate(live, Y.encodeStateAsUpdate(other));
    Y.applyUpdate(other, Y.encodeStateAsUpdate(live));
    expect(textOf(live)).toBe('one typed meanwhile\ntwo\nthree');
    expect(textOf(other)).toBe(textOf(live));
  });

  it('leaves shared types other than the editor fragment alone', () => {
    const live = docWith(paragraphs('now'));
    live.getMap('comments').set('c1', 'keep me');
    const version = docWith(paragraphs('then'));
    version.getMap('comments').set('c1', 'old value');
    Y.applyUpdate(live, computeRestoreDelta(Y.encodeStateAsUpdate(live), Y.encodeStateAsUpdate(version)));
    expect(textOf(live)).toBe('then');
    expect(live.getMap('comments').toJSON()).toEqual({ c1: 'keep me' });
  });

  it('is empty of content changes when the live document already equals the version', () => {
    const live = docWith(paragraphs('same', 'text'));
    const before = Y.encodeStateVector(live);
    Y.applyUpdate(live, computeRestoreDelta(Y.encodeStateAsUpdate(live), Y.encodeStateAsUpdate(docWith(paragraphs('same', 'text')))));
    expect(Y.encodeStateVector(live)).toEqual(before);
  });
});
