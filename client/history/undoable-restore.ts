/**
 * A restore the restoring editor can undo. A restore done by the server reaches this editor as a
 * remote edit, which its Yjs undo manager does not track (it undoes only the user's own edits).
 * So the server computes the edit without applying it (`…/restore-edit`, after storing the
 * pre-restore version), this editor applies it with the binding's own origin (ySyncPluginKey,
 * which the undo manager tracks) as one undo step, and once the server has stored it
 * (`whenSaved`), the restore version is recorded (`…/restore-edit/applied`). The edit is the
 * same one the server-side restore applies, so it merges the same way: others' typing during it
 * is concurrent and stays.
 */
import * as Y from 'yjs';
import type { Editor } from '@tiptap/core';
import { ySyncPluginKey, yUndoPluginKey } from '@tiptap/y-tiptap';
import type { HistoryApi, VersionEntry } from './history-api.js';

export interface UndoableRestoreOptions {
  api: HistoryApi;
  editor: Editor;
  ydoc: Y.Doc;
  /** Resolves once every local change has been acknowledged as stored by the server. */
  whenSaved: () => Promise<void>;
}

export async function restoreUndoably(options: UndoableRestoreOptions, versionId: number): Promise<{ preRestoreVersion: number; restoreVersion: VersionEntry }> {
  const { preRestoreVersion, update } = await options.api.beginRestore(versionId);
  const undoManager = (yUndoPluginKey.getState(options.editor.state) as { undoManager?: Y.UndoManager } | undefined)?.undoManager;
  // One undo step of its own: not merged with what the user typed just before or after.
  undoManager?.stopCapturing();
  Y.applyUpdate(options.ydoc, update, ySyncPluginKey);
  undoManager?.stopCapturing();
  await options.whenSaved();
  const restoreVersion = await options.api.recordRestore(versionId);
  return { preRestoreVersion, restoreVersion };
}
