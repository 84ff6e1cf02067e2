/**
 * The bar above the text: formatting toolbar, the version history button (when there is a
 * history panel), who is here, the status pill, and a banner once access is denied. Built only
 * with `chrome: true` (the default); `destroy()` removes it, the history panel and their listeners.
 */
import type { Editor } from '@tiptap/core';
import type { Awareness } from 'y-protocols/awareness';
import type { EditorStatus } from './editor-status.js';
import type { HistoryPanel } from './ui/history-panel.js';
import { icon } from './ui/icons.js';
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

export function createEditorChrome(editor: Editor, awareness: Awareness, strings: TandemStrings, history: HistoryPanel | null = null): EditorChrome {
  const bar = document.createElement('div');
  bar.className = 'tandem-bar';
  const toolbar = createToolbar(editor, strings);
  const meta = document.createElement('div');
  meta.className = 'tandem-meta';
  const presence = createPresenceList(awareness, strings);
  const pill = createStatusPill(strings);
  if (history) meta.append(createHistoryToggle(history, strings, bar));
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
      history?.update();
      const isDenied = status.connection === 'denied';
      if (isDenied === !denied.hidden) return;
      denied.hidden = !isDenied;
      // Announced once, when it appears.
      if (isDenied) denied.setAttribute('role', 'alert');
    },
    destroy() {
      history?.destroy();
      toolbar.destroy();
      presence.destroy();
      bar.remove();
    },
  };
}

/** Opens and closes the history panel; works read-only too (reading history needs no write access). */
function createHistoryToggle(history: HistoryPanel, strings: TandemStrings, bar: HTMLElement): HTMLButtonElement {
  const toggle = document.createElement('button');
  toggle.type = 'button';
  toggle.className = 'tandem-tool tandem-history-toggle';
  toggle.dataset.testid = 'history-button';
  toggle.setAttribute('aria-label', strings.history);
  toggle.title = strings.history;
  toggle.setAttribute('aria-expanded', 'false');
  toggle.innerHTML = icon('history');
  toggle.addEventListener('click', () => {
    if (history.isOpen) return history.close();
    // Below the bar, which keeps the status and this button in view (its height varies with wrapping).
    history.element.style.top = `${bar.offsetHeight}px`;
    history.open();
  });
  history.element.addEventListener('tandem-history-toggle', () => {
    toggle.setAttribute('aria-expanded', String(history.isOpen));
    if (!history.isOpen && history.element.contains(document.activeElement)) toggle.focus();
  });
  return toggle;
}
