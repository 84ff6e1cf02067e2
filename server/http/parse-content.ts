/**
 * A request body (HTML, Markdown or ProseMirror JSON, as UTF-8 bytes) → the top-level blocks it
 * holds, fitted to the editor schema. Runs in the worker thread (content-edit.ts).
 *
 * - HTML goes through the schema's own parse rules (@tiptap/html/server, happy-dom with scripts
 *   and loading disabled): elements the schema does not know (script, iframe, img, style…) and
 *   attributes it does not read (onclick, onerror…) are dropped, their text kept.
 * - Markdown goes through @tiptap/markdown; raw HTML in it stays literal text.
 * - JSON must be a `{"type":"doc"}` node of the editor schema. It is checked, not fitted: an
 *   unknown node or mark type, a missing text, or content the schema does not allow where it is
 *   is a ContentError ('invalid-content'): a caller with another schema learns it, instead of
 *   losing content silently (y-prosemirror #39).
 * - For all three, a link whose href the schema's Link rule refuses (`javascript:`, `data:`, …)
 *   loses its link mark and keeps its text, and nesting deeper than MAX_NESTING_DEPTH is refused
 *   ('too-deeply-nested') before any recursive code sees it.
 */
import type { JSONContent } from '@tiptap/core';
import { generateJSON } from '@tiptap/html/server';
import { Fragment, type Schema, type TagParseRule } from '@tiptap/pm/model';
import { createSchemaExtensions, getEditorSchema } from '../../shared/editor-schema.js';
import { markdownToJson } from '../../shared/document-markdown.js';
import { MAX_NESTING_DEPTH } from '../room/nesting-depth.js';
import { ContentError, type ContentType } from './content-error.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The body's top-level blocks; empty for an empty body. Throws ContentError. */
export function parseContent(body: Uint8Array, type: ContentType): Fragment {
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    throw new ContentError('invalid-content', 'the body is not valid UTF-8');
  }
  const schema = getEditorSchema();
  if (text.trim() === '') return Fragment.empty;
  const json = toDocJson(text, type);
  const blocks = fitJson(json.content ?? []);
  let fragment: Fragment;
  try {
    fragment = Fragment.fromJSON(schema, blocks);
    if (fragment.childCount > 0) checkBlocks(schema, fragment);
  } catch (error) {
    // ProseMirror's RangeErrors name the problem: unknown type, invalid content, empty text…
    throw new ContentError('invalid-content', `not a document of the editor schema: ${(error as Error).message}`);
  }
  return fragment;
}

function toDocJson(text: string, type: ContentType): JSONContent {
  let json: unknown;
  try {
    switch (type) {
      case 'html':
        json = generateJSON(text, createSchemaExtensions());
        break;
      case 'markdown':
        json = markdownToJson(text);
        break;
      case 'json':
        json = JSON.parse(text);
        break;
    }
  } catch (error) {
    throw new ContentError('invalid-content', `the ${type} body could not be parsed: ${(error as Error).message}`);
  }
  if (!isObject(json) || json.type !== 'doc' || (json.content !== undefined && !Array.isArray(json.content))) {
    throw new ContentError('invalid-content', 'the body must be a ProseMirror document: {"type":"doc","content":[…]}');
  }
  return json;
}

/** The document's content must be what a doc holds, and each node valid where it is. */
function checkBlocks(schema: Schema, fragment: Fragment): void {
  if (!schema.topNodeType.validContent(fragment)) throw new RangeError(`Invalid content for node doc: ${fragment.toString().slice(0, 100)}`);
  fragment.forEach((block) => block.check());
}

/**
 * Walks the JSON without recursion: refuses nesting beyond MAX_NESTING_DEPTH (a block at the top is
 * depth 1, as its Y type is in the document) and strips link marks with refused hrefs, in place.
 */
function fitJson(blocks: unknown[]): unknown[] {
  const stack: [unknown, number][] = blocks.map((block) => [block, 1]);
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (!isObject(node)) continue; // Fragment.fromJSON refuses it with a clear message.
    if (depth > MAX_NESTING_DEPTH) {
      throw new ContentError('too-deeply-nested', `content nests deeper than ${MAX_NESTING_DEPTH} levels`);
    }
    if (Array.isArray(node.marks)) node.marks = node.marks.filter((mark) => !isRefusedLink(mark));
    if (Array.isArray(node.content)) for (const child of node.content) stack.push([child, depth + 1]);
  }
  return blocks;
}

function isRefusedLink(mark: unknown): boolean {
  if (!isObject(mark) || mark.type !== 'link') return false;
  const href = isObject(mark.attrs) ? mark.attrs.href : undefined;
  return typeof href !== 'string' || !isAllowedHref(href);
}

/**
 * Asks the schema's own Link parse rule (TipTap's `isAllowedUri` with our configured protocols),
 * the check the editor applies to pasted HTML: it refuses `javascript:`, `vbscript:`, `data:` and
 * other schemes not on its list, whitespace and case tricks included.
 */
function isAllowedHref(href: string): boolean {
  const rules = getEditorSchema().marks.link?.spec.parseDOM ?? [];
  const rule = rules.find((candidate): candidate is TagParseRule => 'tag' in candidate && candidate.getAttrs !== undefined);
  if (!rule?.getAttrs) return false;
  // The rule reads only `getAttribute('href')`; the server build has no DOM types to name the element by.
  const element = { getAttribute: (name: string) => (name === 'href' ? href : null) } as unknown as Parameters<typeof rule.getAttrs>[0];
  return rule.getAttrs(element) !== false;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
