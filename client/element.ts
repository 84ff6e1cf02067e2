/**
 * `tandem/element`: importing it registers `<tandem-editor>` (when custom elements exist; a
 * no-op during server-side rendering). `defineTandemEditor('my-editor')` registers another name.
 */
import { defineTandemEditor } from './tandem-editor-element.js';

export { defineTandemEditor, TANDEM_EDITOR_ATTRIBUTES, type TandemEditorElement } from './tandem-editor-element.js';

defineTandemEditor();
