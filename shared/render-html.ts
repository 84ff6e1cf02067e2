/**
 * ProseMirror node → HTML string, without a DOM.
 *
 * Walks the document and expands each node's and mark's `toDOM` spec (the same specs the editor
 * renders with) into markup, the way @tiptap/static-renderer's `pm/html-string` renderer does.
 * Marks stay open across neighbouring text nodes that share them, as ProseMirror's DOMSerializer
 * keeps them, so `<strong>a<em>b</em></strong>` is not split into two `<strong>`s.
 */
import type { DOMOutputSpec, Mark, Node as PMNode } from '@tiptap/pm/model';

const VOID_ELEMENTS = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr']);

/** Renders the children of `node` (for a `doc`, the whole document body). */
export function renderNodeContentToHtml(node: PMNode): string {
  const active: Mark[] = [];
  const closers: string[] = [];
  let html = '';
  node.forEach((child) => {
    // Keep the longest prefix of open marks that this child still carries; close the rest.
    const marks = child.isInline ? child.marks : [];
    let keep = 0;
    while (keep < active.length && keep < marks.length && active[keep]!.eq(marks[keep]!)) keep++;
    while (active.length > keep) {
      active.pop();
      html += closers.pop()!;
    }
    for (const mark of marks.slice(keep)) {
      const spec = mark.type.spec.toDOM?.(mark, true);
      if (!spec) continue;
      const [open, close] = renderSpec(spec, '');
      html += open;
      active.push(mark);
      closers.push(close);
    }
    html += renderNodeToHtml(child);
  });
  while (closers.length > 0) html += closers.pop()!;
  return html;
}

/** Renders one node, marks excluded (they belong to the surrounding run of text). */
export function renderNodeToHtml(node: PMNode): string {
  if (node.isText) return escapeText(node.text ?? '');
  const toDOM = node.type.spec.toDOM;
  if (!toDOM) return renderNodeContentToHtml(node);
  const [open, close] = renderSpec(toDOM(node), renderNodeContentToHtml(node));
  return open + close;
}

/**
 * Expands a DOMOutputSpec. Returns the markup before and after the content hole (`0`); with no
 * hole, the content is dropped, as in ProseMirror (leaf nodes have none).
 */
function renderSpec(spec: DOMOutputSpec, content: string): [string, string] {
  if (typeof spec === 'string') return [escapeText(spec), ''];
  if (!Array.isArray(spec)) {
    throw new Error('DOM nodes in toDOM specs cannot be rendered without a DOM');
  }
  const [rawTag, ...rest] = spec as readonly unknown[];
  // "namespace tag" form: keep the local name.
  const tag = String(rawTag).split(' ').pop()!;
  if (!/^[a-z][a-z0-9-]*$/i.test(tag)) throw new Error(`refusing to render tag name ${JSON.stringify(tag)}`);
  let attrs = '';
  let index = 0;
  const first = rest[0];
  if (first && typeof first === 'object' && !Array.isArray(first)) {
    attrs = renderAttributes(first as Record<string, unknown>);
    index = 1;
  }
  if (VOID_ELEMENTS.has(tag)) return [`<${tag}${attrs}>`, ''];
  let before = `<${tag}${attrs}>`;
  let after = '';
  let inHole = false;
  for (const child of rest.slice(index)) {
    if (child === 0) {
      before += content;
      inHole = true;
      continue;
    }
    const [childOpen, childClose] = renderSpec(child as DOMOutputSpec, content);
    if (inHole) after += childOpen + childClose;
    else if (containsHole(child)) {
      before += childOpen;
      after += childClose;
      inHole = true;
    } else before += childOpen + childClose;
  }
  return [before, after + `</${tag}>`];
}

function containsHole(spec: unknown): boolean {
  return Array.isArray(spec) && spec.some((part) => part === 0 || containsHole(part));
}

function renderAttributes(attrs: Record<string, unknown>): string {
  let out = '';
  for (const [name, value] of Object.entries(attrs)) {
    // null, undefined and false mean "no attribute", as in ProseMirror's DOMSerializer.
    if (typeof value !== 'string' && typeof value !== 'number' && value !== true) continue;
    // Attribute names come from our own extensions' specs; refuse anything not name-like anyway.
    if (!/^[A-Za-z_:][-A-Za-z0-9_:.]*$/.test(name)) continue;
    out += ` ${name.split(' ').pop()!}="${escapeAttribute(String(value))}"`;
  }
  return out;
}

function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function escapeAttribute(value: string): string {
  return escapeText(value).replace(/"/g, '&quot;');
}
