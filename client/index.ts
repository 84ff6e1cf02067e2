/**
 * The embeddable Tandem client (library build: dist/client/lib/tandem-editor.js).
 * Importing it registers `<tandem-editor>` when custom elements are available.
 */
import { defineTandemEditor } from './tandem-editor-element.js';

export { createEditor, toWebSocketUrl, type CreateEditorOptions, type EditorStatus, type TandemEditor } from './create-editor.js';
export { defineTandemEditor, TANDEM_EDITOR_ATTRIBUTES, type TandemEditorElement } from './tandem-editor-element.js';
export { loadUser, saveUser, randomUser, type TandemUser } from './identity.js';
export type { SaveState } from './save-tracker.js';

defineTandemEditor();
