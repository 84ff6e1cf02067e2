/**
 * A version's preview: the server's HTML (its schema rendering of the version) rebuilt node by
 * node from an allowlist, so nothing but text, the schema's blocks and marks, and http(s)/mailto
 * links reaches the page, then marked with what changed against the current document
 * (diff-highlight.ts). DOMParser runs no scripts; the copy keeps no attribute but `href` and `start`.
 */
import type { HighlightPlan } from './diff-highlight.js';

/** The elements the editor schema renders (StarterKit). */
const ALLOWED = new Set(['P', 'H1', 'H2', 'H3', 'H4', 'H5', 'H6', 'PRE', 'CODE', 'BLOCKQUOTE', 'UL', 'OL', 'LI', 'STRONG', 'B', 'EM', 'I', 'S', 'U', 'A', 'BR', 'HR']);
/** Dropped with their content (their text is not document text). */
const DROPPED = new Set(['SCRIPT', 'STYLE', 'TEMPLATE', 'NOSCRIPT', 'IFRAME', 'OBJECT', 'EMBED', 'SVG', 'MATH', 'TITLE', 'HEAD']);
const SAFE_HREF = /^(https?:|mailto:)/i;
/** Blocks in the order the diff counts them: text blocks, and the one leaf block. */
const BLOCK_SELECTOR = 'p, h1, h2, h3, h4, h5, h6, pre, hr';

export function sanitizeHtml(html: string): DocumentFragment {
  const parsed = new DOMParser().parseFromString(html, 'text/html');
  const out = document.createDocumentFragment();
  const copy = (from: Node, to: Node): void => {
    for (const child of Array.from(from.childNodes)) {
      if (child.nodeType === Node.TEXT_NODE) {
        to.appendChild(document.createTextNode(child.textContent ?? ''));
        continue;
      }
      if (child.nodeType !== Node.ELEMENT_NODE) continue;
      const element = child as Element;
      const tag = element.tagName.toUpperCase();
      if (DROPPED.has(tag)) continue;
      if (!ALLOWED.has(tag)) {
        copy(element, to);
        continue;
      }
      const clean = document.createElement(tag.toLowerCase());
      const href = tag === 'A' ? element.getAttribute('href') : null;
      if (href !== null && SAFE_HREF.test(href.trim())) {
        clean.setAttribute('href', href.trim());
        clean.setAttribute('rel', 'noopener noreferrer nofollow');
        clean.setAttribute('target', '_blank');
      }
      const start = tag === 'OL' ? element.getAttribute('start') : null;
      if (start !== null && /^\d{1,9}$/.test(start)) clean.setAttribute('start', start);
      copy(element, clean);
      to.appendChild(clean);
    }
  };
  copy(parsed.body, out);
  return out;
}

export interface PreviewLabels {
  added: string;
  removed: string;
}

/**
 * Marks the blocks of `container` (the sanitised preview) by `plan`. Returns false, marking
 * nothing, when the preview's blocks are not the diff's (then the highlights would land on the
 * wrong blocks).
 */
export function applyHighlights(container: HTMLElement, plan: HighlightPlan, versionBlocks: number, labels: PreviewLabels): boolean {
  const blocks = Array.from(container.querySelectorAll<HTMLElement>(BLOCK_SELECTOR));
  if (blocks.length !== versionBlocks) return false;
  for (const [index, mark] of plan.marks) {
    const block = blocks[index];
    if (!block) continue;
    if (mark.kind === 'added') {
      block.classList.add('tandem-diff-added');
      block.title = labels.added;
      continue;
    }
    block.classList.add('tandem-diff-changed');
    const target = block.tagName === 'PRE' ? (block.querySelector('code') ?? block) : block;
    target.replaceChildren(
      ...mark.parts.map((part) => {
        if (part.op === 'equal') return document.createTextNode(part.text);
        const span = document.createElement(part.op === 'added' ? 'ins' : 'del');
        span.className = part.op === 'added' ? 'tandem-diff-ins' : 'tandem-diff-del';
        span.title = part.op === 'added' ? labels.added : labels.removed;
        span.textContent = part.text;
        return span;
      }),
    );
  }
  for (const [anchor, texts] of plan.removedAfter) {
    const removed = texts.map((text) => {
      const block = document.createElement('p');
      block.className = 'tandem-diff-removed';
      block.title = labels.removed;
      const del = document.createElement('del');
      del.textContent = text;
      block.append(del);
      return block;
    });
    if (anchor < 0) container.prepend(...removed);
    else blocks[anchor]?.after(...removed);
  }
  return true;
}
