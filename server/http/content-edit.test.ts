import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { yXmlFragmentToProsemirrorJSON } from '@tiptap/y-tiptap';
import { DOCUMENT_FIELD } from '../../shared/editor-schema.js';
import { CHUNK_BYTES, editContent } from './content-edit.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const markdown = (count: number, word: string): string => Array.from({ length: count }, (_, i) => `${word} ${i} with **bold** and [a link](https://example.com/${i}).`).join('\n\n');

function docOf(state: Uint8Array, updates: Uint8Array[]): Y.Doc {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, state);
  for (const update of updates) Y.applyUpdate(doc, update);
  return doc;
}

describe('editContent', () => {
  it('returns a large replace as ordered chunks of about CHUNK_BYTES; each prefix applies and the whole gives the content', () => {
    const state = Y.encodeStateAsUpdate(new Y.Doc());
    const updates = editContent({ state, body: bytes(markdown(3000, 'Para')), type: 'markdown', mode: 'replace' });
    expect(updates.length).toBeGreaterThan(2);
    for (const update of updates.slice(0, -1)) expect(update.byteLength).toBeLessThan(CHUNK_BYTES * 1.5);
    // Every prefix integrates fully: nothing left pending for a later chunk.
    const doc = new Y.Doc();
    for (const update of updates) {
      Y.applyUpdate(doc, update);
      expect(doc.store.pendingStructs).toBeNull();
    }
    const json = yXmlFragmentToProsemirrorJSON(doc.getXmlFragment(DOCUMENT_FIELD)) as { content: unknown[] };
    expect(json.content).toHaveLength(3000);
  });

  it('replaces by diffing: unchanged blocks keep their items, changed ones are rewritten in place', () => {
    const first = docOf(Y.encodeStateAsUpdate(new Y.Doc()), editContent({ state: Y.encodeStateAsUpdate(new Y.Doc()), body: bytes('# T\n\nsame\n\nold'), type: 'markdown', mode: 'replace' }));
    const [heading, same] = first.getXmlFragment(DOCUMENT_FIELD).toArray();
    const updates = editContent({ state: Y.encodeStateAsUpdate(first), body: bytes('# T\n\nsame\n\nnew'), type: 'markdown', mode: 'replace' });
    for (const update of updates) Y.applyUpdate(first, update);
    const blocks = first.getXmlFragment(DOCUMENT_FIELD).toArray();
    expect(blocks[0]).toBe(heading);
    expect(blocks[1]).toBe(same);
    expect(first.getXmlFragment(DOCUMENT_FIELD).toString()).toBe('<heading level="1">T</heading><paragraph>same</paragraph><paragraph>new</paragraph>');
  });

  it('appends after the last block, and returns no update for an empty append', () => {
    const base = docOf(Y.encodeStateAsUpdate(new Y.Doc()), editContent({ state: Y.encodeStateAsUpdate(new Y.Doc()), body: bytes('one'), type: 'markdown', mode: 'replace' }));
    const updates = editContent({ state: Y.encodeStateAsUpdate(base), body: bytes('<p>two</p><p>three</p>'), type: 'html', mode: 'append' });
    for (const update of updates) Y.applyUpdate(base, update);
    expect(base.getXmlFragment(DOCUMENT_FIELD).toString()).toBe('<paragraph>one</paragraph><paragraph>two</paragraph><paragraph>three</paragraph>');
    expect(editContent({ state: Y.encodeStateAsUpdate(base), body: bytes(''), type: 'markdown', mode: 'append' })).toEqual([]);
  });
});
