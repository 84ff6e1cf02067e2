/**
 * Wires version history into one editor: the API client (with the token the editor's provider
 * uses right now), the panel, and restores through the editor (undoable-restore.ts).
 */
import type { Editor } from '@tiptap/core';
import type * as Y from 'yjs';
import type { WebsocketProvider } from 'y-websocket';
import type { SaveTracker } from '../save-tracker.js';
import type { TandemStrings } from '../ui/strings.js';
import { createHistoryPanel, type HistoryPanel } from '../ui/history-panel.js';
import { createHistoryApi } from './history-api.js';
import { restoreUndoably } from './undoable-restore.js';

export interface EditorHistoryOptions {
  serverUrl: string;
  document: string;
  provider: WebsocketProvider;
  editor: Editor;
  ydoc: Y.Doc;
  saves: SaveTracker;
  strings: TandemStrings;
  canWrite: () => boolean;
}

export function createEditorHistory(options: EditorHistoryOptions): HistoryPanel {
  const { provider, saves } = options;
  // The token session keeps the provider's `token` parameter current (tokens/token-session.ts).
  const api = createHistoryApi({ serverUrl: options.serverUrl, document: options.document, currentToken: () => provider.params.token });
  const whenSaved = (): Promise<void> =>
    new Promise((resolve) => {
      if (saves.state === 'saved') return resolve();
      const stop = saves.onChange((state) => {
        if (state !== 'saved') return;
        stop();
        resolve();
      });
    });
  return createHistoryPanel({
    api,
    strings: options.strings,
    canWrite: options.canWrite,
    restore: (id) => restoreUndoably({ api, editor: options.editor, ydoc: options.ydoc, whenSaved }, id),
  });
}
