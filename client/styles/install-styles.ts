/**
 * Puts the editor's stylesheet into the page once, so `createEditor` and `<tandem-editor>` work
 * in any host page without a separate CSS file. Rules are scoped under `.tandem-editor`.
 */
import editorCss from './editor.css?inline';
import historyCss from './history.css?inline';

const STYLE_ID = 'tandem-editor-styles';

export function installStyles(): void {
  if (document.getElementById(STYLE_ID)) return;
  const style = document.createElement('style');
  style.id = STYLE_ID;
  style.textContent = `${editorCss}\n${historyCss}`;
  document.head.append(style);
}
