import { describe, expect, it } from 'vitest';
import { getEditorSchema } from './editor-schema.js';
import { markdownToJson, toMarkdown } from './document-markdown.js';

/** Canonical Markdown (the forms the serializer writes): it must survive parse → serialize unchanged. */
const SAMPLE = [
  '# Heading one',
  '',
  '## Heading two',
  '',
  '### Heading three',
  '',
  'Some **bold**, *italic*, ***both***, ~~struck~~ and `code` with a [link](https://example.com/a?b=1).  ',
  'A hard break above.',
  '',
  '- first',
  '- second',
  '  - nested',
  '',
  '1. one',
  '2. two',
  '',
  '```ts',
  'const x = 1 < 2;',
  '```',
  '',
  '> A quote',
  '',
  '---',
  '',
  'Last paragraph.',
].join('\n');

describe('Markdown with the editor schema', () => {
  it('parses headings, marks, links, lists, code, quotes and rules into schema nodes', () => {
    const doc = getEditorSchema().nodeFromJSON(markdownToJson(SAMPLE));
    doc.check();
    const types: string[] = [];
    doc.forEach((block) => types.push(block.type.name));
    expect(types).toEqual(['heading', 'heading', 'heading', 'paragraph', 'bulletList', 'orderedList', 'codeBlock', 'blockquote', 'horizontalRule', 'paragraph']);
    expect(doc.child(2).attrs.level).toBe(3);
    expect(doc.child(6).attrs.language).toBe('ts');
    const marks = new Set<string>();
    doc.descendants((node) => {
      for (const mark of node.marks) marks.add(mark.type.name === 'link' ? `link:${String(mark.attrs.href)}` : mark.type.name);
    });
    expect([...marks].sort()).toEqual(['bold', 'code', 'italic', 'link:https://example.com/a?b=1', 'strike']);
  });

  it('serializes what it parsed back to the same Markdown', () => {
    expect(toMarkdown(getEditorSchema().nodeFromJSON(markdownToJson(SAMPLE)))).toBe(SAMPLE);
  });

  it('keeps raw HTML in Markdown as literal text, never as markup', () => {
    const json = markdownToJson('<script>alert(1)</script>\n\nHi <iframe src="x"></iframe>');
    expect(JSON.stringify(json)).not.toContain('"type":"script"');
    const doc = getEditorSchema().nodeFromJSON(json);
    expect(doc.textContent).toContain('<script>alert(1)</script>');
    expect(toMarkdown(doc)).toContain('&lt;script&gt;');
  });

  it('parses ordered lists around paragraphs, loose items, lazy lines and nesting as before the tokenizer was bounded', () => {
    const markdown = '1. a\n\n2. b\n\ntext after\n\n3) c\n   1. nested\n4) d\nlazy\n\n\n   indented\n\n- x';
    const doc = getEditorSchema().nodeFromJSON(markdownToJson(markdown));
    doc.check();
    expect(doc.toJSON()).toEqual({
      type: 'doc',
      content: [
        { type: 'orderedList', attrs: { start: 1, type: null }, content: [item('a'), item('b')] },
        { type: 'paragraph', content: [{ type: 'text', text: 'text after' }] },
        {
          type: 'orderedList',
          attrs: { start: 3, type: null },
          content: [
            { type: 'listItem', content: [para('c'), { type: 'orderedList', attrs: { start: 1, type: null }, content: [item('nested')] }] },
            { type: 'listItem', content: [para('d\nlazy'), para('indented')] },
          ],
        },
        { type: 'bulletList', content: [item('x')] },
      ],
    });
  });

  it('parses 100,000 blocks in linear time', () => {
    // Root cause: TipTap's ordered-list tokenizer split the whole remaining document into lines at
    // every block, so parsing was quadratic (a 1 MB document of 12,000 paragraphs took 6-12 s).
    // Bounded, 100,000 one-line paragraphs take about a second; unbounded, minutes.
    const started = performance.now();
    const json = markdownToJson('x\n\n'.repeat(99_999) + 'x');
    expect(json.content).toHaveLength(100_000);
    expect(performance.now() - started).toBeLessThan(10_000);
  });
});

function para(text: string): object {
  return { type: 'paragraph', content: [{ type: 'text', text }] };
}

function item(text: string): object {
  return { type: 'listItem', content: [para(text)] };
}
