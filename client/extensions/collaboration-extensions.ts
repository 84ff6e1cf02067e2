/**
 * The collaborative half of the editor: the Y.Doc binding (with Yjs collaborative undo, which
 * only undoes this user's own changes), remote carets labelled with name and colour, and the
 * empty-document placeholder.
 */
import type { AnyExtension } from '@tiptap/core';
import { Collaboration } from '@tiptap/extension-collaboration';
import { CollaborationCaret } from '@tiptap/extension-collaboration-caret';
import { Placeholder } from '@tiptap/extensions';
import type * as Y from 'yjs';
import type { WebsocketProvider } from 'y-websocket';
import { DOCUMENT_FIELD } from '../../shared/editor-schema.js';

export interface CollaborationExtensionOptions {
  ydoc: Y.Doc;
  provider: WebsocketProvider;
  user: { name: string; color: string; id: string };
  /** Shown in an empty document. */
  placeholder: string;
}

export function createCollaborationExtensions(options: CollaborationExtensionOptions): AnyExtension[] {
  return [
    Collaboration.configure({ document: options.ydoc, field: DOCUMENT_FIELD }),
    CollaborationCaret.configure({
      provider: options.provider,
      user: options.user,
      render: renderCaret,
    }),
    // A decoration only: it adds nothing to the schema or the document.
    Placeholder.configure({ placeholder: options.placeholder }),
  ];
}

/** A remote caret: a thin coloured bar with the user's name in a flag above it. */
function renderCaret(user: Record<string, unknown>): HTMLElement {
  const name = typeof user.name === 'string' ? user.name : 'Anonymous';
  const color = typeof user.color === 'string' && /^#[0-9a-fA-F]{6}$/.test(user.color) ? user.color : '#6e6e7a';
  const caret = document.createElement('span');
  caret.className = 'collaboration-carets__caret';
  caret.dataset.testid = 'remote-caret';
  caret.style.borderColor = color;
  const label = document.createElement('span');
  label.className = 'collaboration-carets__label';
  label.dataset.testid = 'remote-caret-label';
  label.style.backgroundColor = color;
  label.textContent = name;
  caret.append(label);
  return caret;
}
