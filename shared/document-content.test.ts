import { describe, expect, it } from 'vitest';
import { getEditorSchema } from './editor-schema.js';
import { toHtml, toJson, toPlainText, updateToProseMirror } from './document-content.js';
import * as Y from 'yjs';
import { prosemirrorJSONToYDoc } from '@tiptap/y-tiptap';
import { DOCUMENT_FIELD } from './editor-schema.js';

const sample = {
  type: 'doc',
  content: [
    { type: 'heading', attrs: { level: 2 }, content: [{ type: 'text', text: 'Plan <A&B>' }] },
    {
      type: 'paragraph',
      content: [
        { type: 'text', text: 'bold ', marks: [{ type: 'bold' }] },
        { type: 'text', text: 'both', marks: [{ type: 'bold' }, { type: 'italic' }] },
        { type: 'text', text: ' plain ' },
        { type: 'text', text: 'site', marks: [{ type: 'link', attrs: { href: 'https://example.com/?a=1&b="2"' } }] },
        { type: 'hardBreak' },
        { type: 'text', text: 'next line' },
      ],
    },
    { type: 'bulletList', content: [{ type: 'listItem', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'one' }] }] }] },
    { type: 'codeBlock', attrs: { language: null }, content: [{ type: 'text', text: 'let x = 1 < 2;' }] },
    { type: 'horizontalRule' },
  ],
};

describe('document rendering with the shared schema', () => {
  const node = getEditorSchema().nodeFromJSON(sample);

  it('renders HTML from the extensions own toDOM specs, escaping text and attributes', () => {
    expect(toHtml(node)).toBe(
      '<h2>Plan &lt;A&amp;B&gt;</h2>' +
        '<p><strong>bold <em>both</em></strong> plain ' +
        '<a target="_blank" rel="noopener noreferrer nofollow" href="https://example.com/?a=1&amp;b=&quot;2&quot;">site</a>' +
        '<br>next line</p>' +
        '<ul><li><p>one</p></li></ul>' +
        '<pre><code>let x = 1 &lt; 2;</code></pre>' +
        '<hr>',
    );
  });

  it('renders plain text as one line per text block, hard breaks as newlines', () => {
    expect(toPlainText(node)).toBe('Plan <A&B>\nbold both plain site\nnext line\none\nlet x = 1 < 2;');
  });

  it('round-trips through Yjs and leaves the source document untouched', () => {
    const ydoc = prosemirrorJSONToYDoc(getEditorSchema(), sample, DOCUMENT_FIELD);
    const before = Y.encodeStateVector(ydoc);
    const fromYjs = updateToProseMirror(Y.encodeStateAsUpdate(ydoc));
    expect(toJson(fromYjs)).toEqual(toJson(node));
    expect(Y.encodeStateVector(ydoc)).toEqual(before);
  });
});
