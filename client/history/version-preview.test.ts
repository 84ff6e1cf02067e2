// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { diffBlocks } from '../../server/history/version-diff.js';
import { planHighlights } from './diff-highlight.js';
import { applyHighlights, sanitizeHtml } from './version-preview.js';

const LABELS = { added: 'only in the version', removed: 'only now' };

function render(html: string): HTMLElement {
  const container = document.createElement('div');
  container.append(sanitizeHtml(html));
  return container;
}

describe('sanitizeHtml', () => {
  it('keeps the schema’s elements and text, and drops scripts, handlers, styles and unsafe links', () => {
    const container = render(
      '<h2 style="color:red" onclick="alert(1)">Title</h2><p>One <strong>bold</strong> <a href="javascript:alert(1)">bad</a> <a href="https://example.com/x">good</a>' +
        '<img onerror="alert(1)"></p><script>alert(1)</script><style>p{}</style><ol start="3"><li><p>Item</p></li></ol><iframe srcdoc="<p>framed</p>"></iframe>',
    );
    expect(container.innerHTML).toBe(
      '<h2>Title</h2><p>One <strong>bold</strong> <a>bad</a> <a href="https://example.com/x" rel="noopener noreferrer nofollow" target="_blank">good</a></p><ol start="3"><li><p>Item</p></li></ol>',
    );
  });

  it('unwraps unknown elements, keeping their text', () => {
    expect(render('<p><span class="x"><mark>kept</mark></span></p>').innerHTML).toBe('<p>kept</p>');
  });
});

describe('applyHighlights', () => {
  const paragraphs = (...texts: string[]) => texts.map((text) => ({ type: 'paragraph', text }));

  it('marks added blocks, rewrites changed ones from their word parts, and places current-only blocks where they were', () => {
    const container = render('<p>Alpha</p><p>three little pigs</p><hr><p>New one here</p>');
    const diff = diffBlocks([...paragraphs('Alpha', 'three little pigs'), { type: 'horizontalRule', text: '' }, ...paragraphs('New one here')], paragraphs('Alpha', 'Gone', 'three big pigs'));
    expect(applyHighlights(container, planHighlights(diff), diff.blocks.version, LABELS)).toBe(true);
    const blocks = Array.from(container.children);
    expect(blocks.map((block) => block.className)).toEqual(['', 'tandem-diff-removed', 'tandem-diff-changed', 'tandem-diff-added', 'tandem-diff-added']);
    expect(blocks[1]!.textContent).toBe('Gone');
    expect(container.querySelector('.tandem-diff-ins')?.textContent).toBe('little');
    expect(container.querySelector('.tandem-diff-del')?.textContent).toBe('big');
  });

  it('marks nothing when the preview’s blocks are not the diff’s', () => {
    const container = render('<p>Alpha</p>');
    const diff = diffBlocks(paragraphs('Alpha', 'Beta'), paragraphs('Alpha'));
    expect(applyHighlights(container, planHighlights(diff), diff.blocks.version, LABELS)).toBe(false);
    expect(container.innerHTML).toBe('<p>Alpha</p>');
  });
});
