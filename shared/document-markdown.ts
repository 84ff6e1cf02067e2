/**
 * Markdown ↔ ProseMirror JSON with the shared editor schema (@tiptap/markdown's MarkdownManager,
 * built on `marked`). Each node and mark's Markdown form comes from its own extension, so the
 * export and the import agree with what the editor can hold.
 *
 * Raw HTML inside Markdown is kept as literal text: MarkdownManager only interprets it where a DOM
 * exists (never here), and tags the schema does not know (script, iframe, …) are always text.
 */
import { flattenExtensions, type AnyExtension, type JSONContent, type MarkdownTokenizer } from '@tiptap/core';
import { MarkdownManager } from '@tiptap/markdown';
import type { Node as PMNode } from '@tiptap/pm/model';
import { createSchemaExtensions } from './editor-schema.js';

let manager: MarkdownManager | null = null;

function markdownManager(): MarkdownManager {
  // Flattened, without the bundles (StarterKit) that would add their children again unchanged.
  const extensions = flattenExtensions(createSchemaExtensions()).filter((extension) => extension.type !== 'extension' || !extension.config.addExtensions);
  manager ??= new MarkdownManager({ extensions: extensions.map(boundOrderedListTokenizer) });
  return manager;
}

/** Markdown → a `doc` JSON node (not yet checked against the schema). */
export function markdownToJson(markdown: string): JSONContent {
  return markdownManager().parse(markdown);
}

export function toMarkdown(node: PMNode): string {
  return markdownManager().serialize(node.toJSON() as JSONContent);
}

/**
 * A line @tiptap/extension-list's ordered-list tokenizer could take as an item (a superset of its
 * private ORDERED_LIST_ITEM_REGEX: marker, `.` or `)`, whitespace).
 */
const MAYBE_ORDERED_ITEM = /^\s*[0-9A-Za-z]+[.)]\s/;
/** After a blank line, a line that is neither blank, indented nor an item ends any ordered list. */
const LIST_BREAK = /\n[^\S\n]*\n(?=[^\s])/g;

/**
 * Root cause: TipTap's ordered-list tokenizer runs at every block of the document and splits the
 * whole remaining source into lines each time, so a 1 MB document of 12,000 paragraphs took ~6 s
 * in `marked`. The same tokenizer, given only what it can consume, answers the same: nothing when
 * the first line is not an item, else at most the lines up to the first list break.
 */
function boundOrderedListTokenizer(extension: AnyExtension): AnyExtension {
  const tokenizer = extension.name === 'orderedList' ? (extension.config as { markdownTokenizer?: MarkdownTokenizer }).markdownTokenizer : undefined;
  if (!tokenizer) return extension;
  const bounded: MarkdownTokenizer = {
    ...tokenizer,
    tokenize: (src, tokens, lexer) => {
      const firstLineEnd = src.indexOf('\n');
      if (!MAYBE_ORDERED_ITEM.test(firstLineEnd === -1 ? src : src.slice(0, firstLineEnd))) return undefined;
      return tokenizer.tokenize(src.slice(0, listEnd(src)), tokens, lexer);
    },
  };
  return extension.extend({ markdownTokenizer: bounded });
}

function listEnd(src: string): number {
  LIST_BREAK.lastIndex = 0;
  for (let match = LIST_BREAK.exec(src); match; match = LIST_BREAK.exec(src)) {
    const lineStart = match.index + match[0].length;
    const lineEnd = src.indexOf('\n', lineStart);
    if (!MAYBE_ORDERED_ITEM.test(src.slice(lineStart, lineEnd === -1 ? undefined : lineEnd))) return lineStart;
  }
  return src.length;
}
