/**
 * The editor schema, shared by the browser editor and the server's document export.
 *
 * Both sides must build the same ProseMirror schema from the same extension list: a client whose
 * schema lacks a node type silently deletes that content (y-prosemirror #39), and the server
 * renders stored documents with exactly what the editor could have written. Pure: building the
 * schema touches no DOM, so it runs in Node.
 */
import { getSchema, type AnyExtension } from '@tiptap/core';
import type { Schema } from '@tiptap/pm/model';
import { StarterKit } from '@tiptap/starter-kit';

/** Name of the Y.XmlFragment that holds the document (TipTap Collaboration's default field). */
export const DOCUMENT_FIELD = 'default';

/** Heading levels the toolbar offers; the schema accepts all six so no stored heading is lost. */
export const TOOLBAR_HEADING_LEVELS = [1, 2, 3] as const;

/** The content extensions: every node and mark a Tandem document may contain. */
export function createSchemaExtensions(): AnyExtension[] {
  return [
    StarterKit.configure({
      // Collaborative undo comes from the Yjs undo manager (Collaboration extension) instead.
      undoRedo: false,
      link: {
        openOnClick: false,
        autolink: true,
        defaultProtocol: 'https',
      },
    }),
  ];
}

let schema: Schema | null = null;

/** The ProseMirror schema of a Tandem document, built once. */
export function getEditorSchema(): Schema {
  schema ??= getSchema(createSchemaExtensions());
  return schema;
}
