import { describe, expect, it } from 'vitest';
import type { Fragment } from '@tiptap/pm/model';
import { parseContent } from './parse-content.js';
import { ContentError } from './content-error.js';
import type { ContentType } from './content-error.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

function links(fragment: Fragment): string[] {
  const hrefs: string[] = [];
  fragment.descendants((node) => {
    for (const mark of node.marks) if (mark.type.name === 'link') hrefs.push(String(mark.attrs.href));
  });
  return hrefs;
}

function text(fragment: Fragment): string {
  return fragment.textBetween(0, fragment.size, '|');
}

function refusal(body: string, type: ContentType): ContentError {
  try {
    parseContent(bytes(body), type);
  } catch (error) {
    if (error instanceof ContentError) return error;
    throw error;
  }
  throw new Error(`accepted ${body.slice(0, 80)}`);
}

describe('parseContent', () => {
  const refusedHrefs = ['javascript:alert(1)', ' JaVaScRiPt:alert(1)', 'java\tscript:alert(1)', 'vbscript:msgbox(1)', 'data:text/html,<script>alert(1)</script>'];

  it.each(refusedHrefs)('drops the link mark but keeps the text for href %j in HTML, Markdown and JSON', (href) => {
    const bodies: Array<[string, ContentType]> = [
      [`<p><a href="${href.replace(/"/g, '&quot;').replace(/</g, '&lt;')}">click</a></p>`, 'html'],
      [`[click](<${href}>)`, 'markdown'],
      [JSON.stringify({ type: 'doc', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'click', marks: [{ type: 'link', attrs: { href } }] }] }] }), 'json'],
    ];
    for (const [body, type] of bodies) {
      const fragment = parseContent(bytes(body), type);
      expect(links(fragment), type).toEqual([]);
      expect(text(fragment), type).toContain('click');
    }
  });

  it('keeps http, https, mailto and relative links', () => {
    const fragment = parseContent(bytes('[a](https://x.org) [b](http://x.org) [c](mailto:a@x.org) [d](/rel)'), 'markdown');
    expect(links(fragment)).toEqual(['https://x.org', 'http://x.org', 'mailto:a@x.org', '/rel']);
  });

  it('drops script, iframe, img, style and event attributes from HTML, keeping known markup and text', () => {
    const fragment = parseContent(
      bytes('<h2 onclick="x()">T</h2><p>a<script>alert(1)</script><img src=x onerror="alert(1)"><iframe src="https://evil"></iframe><style>p{}</style><b>b</b><blink>c</blink></p>'),
      'html',
    );
    const json = JSON.stringify(fragment.toJSON());
    for (const word of ['script', 'alert', 'onerror', 'onclick', 'iframe', 'evil', 'img', 'style']) expect(json).not.toContain(word);
    expect(fragment.toJSON()).toEqual([
      { type: 'heading', attrs: { level: 2 }, content: [{ type: 'text', text: 'T' }] },
      { type: 'paragraph', content: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b', marks: [{ type: 'bold' }] }, { type: 'text', text: 'c' }] },
    ]);
  });

  it.each([
    ['malformed JSON', '{"type":"doc",'],
    ['a JSON array', '[]'],
    ['a node that is not a doc', '{"type":"paragraph"}'],
    ['an unknown node type', '{"type":"doc","content":[{"type":"video"}]}'],
    ['an unknown mark type', '{"type":"doc","content":[{"type":"paragraph","content":[{"type":"text","text":"x","marks":[{"type":"blink"}]}]}]}'],
    ['text directly in the doc', '{"type":"doc","content":[{"type":"text","text":"x"}]}'],
    ['an empty text node', '{"type":"doc","content":[{"type":"paragraph","content":[{"type":"text","text":""}]}]}'],
    ['a string content', '{"type":"doc","content":"x"}'],
  ])('refuses %s with invalid-content', (_label, body) => {
    expect(refusal(body, 'json').code).toBe('invalid-content');
  });

  it('refuses bytes that are not UTF-8 with invalid-content', () => {
    try {
      parseContent(new Uint8Array([0x3c, 0x70, 0x3e, 0xff, 0xfe]), 'html');
      expect.unreachable();
    } catch (error) {
      expect((error as ContentError).code).toBe('invalid-content');
    }
  });

  it('refuses JSON nested deeper than 128 levels with too-deeply-nested, and accepts 128', () => {
    const nested = (levels: number): string =>
      '{"type":"doc","content":[' + '{"type":"blockquote","content":['.repeat(levels - 1) + '{"type":"paragraph"}' + ']}'.repeat(levels - 1) + ']}';
    expect(refusal(nested(129), 'json').code).toBe('too-deeply-nested');
    expect(parseContent(bytes(nested(128)), 'json').childCount).toBe(1);
  });

  it('refuses HTML too deep for the parser with invalid-content instead of failing the worker', () => {
    expect(refusal('<blockquote>'.repeat(20_000) + 'x', 'html').code).toMatch(/^(invalid-content|too-deeply-nested)$/);
  });

  it('reads an empty or blank body as no blocks', () => {
    for (const type of ['html', 'markdown', 'json'] as const) expect(parseContent(bytes(' \n'), type).childCount).toBe(0);
  });
});
