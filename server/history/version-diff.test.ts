import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { prosemirrorJSONToYXmlFragment } from '@tiptap/y-tiptap';
import { updateToProseMirror } from '../../shared/document-content.js';
import { DOCUMENT_FIELD, getEditorSchema } from '../../shared/editor-schema.js';
import { diffBlocks, documentBlocks } from './version-diff.js';

function blocks(...texts: string[]) {
  const doc = new Y.Doc();
  const json = { type: 'doc', content: texts.map((text) => ({ type: 'paragraph', content: [{ type: 'text', text }] })) };
  prosemirrorJSONToYXmlFragment(getEditorSchema(), json, doc.getXmlFragment(DOCUMENT_FIELD));
  return documentBlocks(updateToProseMirror(Y.encodeStateAsUpdate(doc)));
}

describe('version diff (blocks, then words)', () => {
  it('reports added and removed blocks and pairs a block edited in place with its word changes', () => {
    const diff = diffBlocks(blocks('one', 'two', 'three little pigs'), blocks('one', 'three big pigs', 'four'));
    expect(diff.added).toEqual([{ type: 'paragraph', text: 'two', index: 1 }]);
    expect(diff.removed).toEqual([{ type: 'paragraph', text: 'four', againstIndex: 2 }]);
    expect(diff.changes).toEqual([
      {
        index: 2,
        againstIndex: 1,
        type: 'paragraph',
        parts: [
          { text: 'three ', op: 'equal' },
          { text: 'big', op: 'removed' },
          { text: 'little', op: 'added' },
          { text: ' pigs', op: 'equal' },
        ],
      },
    ]);
    expect(diff.blocks).toEqual({ version: 3, against: 3, unchanged: 1 });
  });
});

describe('version diff of a rewrite', () => {
  it('does not pair blocks that share fewer than half their words', () => {
    const diff = diffBlocks(blocks('alpha beta gamma'), blocks('delta epsilon zeta'));
    expect(diff.changes).toEqual([]);
    expect(diff.added).toEqual([{ type: 'paragraph', text: 'alpha beta gamma', index: 0 }]);
    expect(diff.removed).toEqual([{ type: 'paragraph', text: 'delta epsilon zeta', againstIndex: 0 }]);
  });
});
