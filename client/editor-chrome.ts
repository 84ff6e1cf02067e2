/**
 * The bar above the text: formatting toolbar, who is here, the status pill, and a banner once
 * access is denied. Built only with `chrome: true` (the default); `destroy()` removes it and its
 * listeners.
 */
import type { Editor } from '@tiptap/core';
import type { Awareness } from 'y-protocols/awareness';
import type { EditorStatus } from './editor-status.js';
import { createPresenceList } from './ui/presence.js';
import { createStatusPill } from './ui/status-pill.js';
import type { TandemStrings } from './ui/strings.js';
import { createToolbar } from './ui/toolbar.js';

export interface EditorChrome {
  element: HTMLElement;
  openLinkForm(): void;
  showStatus(status: EditorStatus): void;
  destroy(): void;
}

export function createEditorChrome(editor: Editor, awareness: Awareness, strings: TandemStrings): EditorChrome {
  const bar = document.createElement('div');
  bar.className = 'tandem-bar';
  const toolbar = createToolbar(editor, strings);
  const meta = document.createElement('div');
  meta.className = 'tandem-meta';
  const presence = createPresenceList(awareness, strings);
  const pill = createStatusPill(strings);
  meta.append(presence.element, pill.element);
  const denied = document.createElement('p');
  denied.className = 'tandem-denied';
  denied.dataset.testid = 'access-denied';
  denied.textContent = strings.deniedMessage;
  denied.hidden = true;
  bar.append(toolbar.element, meta, denied);
  return {
    element: bar,
    openLinkForm: () => toolbar.openLinkForm(),
    showStatus(status) {
      pill.update(status);
      const isDenied = status.connection === 'denied';
      if (isDenied === !denied.hidden) return;
      denied.hidden = !isDenied;
      // Announced once, when it appears.
      if (isDenied) denied.setAttribute('role', 'alert');
    },
    destroy() {
      toolbar.destroy();
      presence.destroy();
      bar.remove();
    },
  };
}
