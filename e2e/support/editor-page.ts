/**
 * Reading and driving the Tandem editor in a page, by role and test id, always waiting for a
 * condition under a deadline (never a fixed sleep).
 */
import type { Locator, Page } from 'playwright-core';

export const DEADLINE_MS = 15_000;

export function editor(page: Page): Locator {
  return page.getByTestId('editor');
}

/** Opens /d/<name> and waits until the editor is connected and synced with the server. */
export async function openDocument(page: Page, baseUrl: string, name: string): Promise<void> {
  await page.goto(`${baseUrl}/d/${name}`);
  await waitForStatus(page, { connection: 'connected', save: 'saved' });
}

/** Waits until the status pill shows the given connection and/or save state. */
export async function waitForStatus(
  page: Page,
  expected: { connection?: string; save?: string },
  timeoutMs = DEADLINE_MS,
): Promise<void> {
  await page.waitForFunction(
    ({ connection, save }) => {
      const pill = document.querySelector<HTMLElement>('[data-testid="status"]');
      if (!pill) return false;
      return (!connection || pill.dataset.connection === connection) && (!save || pill.dataset.save === save);
    },
    expected,
    { timeout: timeoutMs },
  );
}

/** The text of every text block in the editor, one per line (the server's `format=text`). */
export async function editorText(page: Page): Promise<string> {
  return editor(page).evaluate((root) => {
    const blocks = root.querySelectorAll('p, h1, h2, h3, h4, h5, h6, pre');
    return Array.from(blocks, (block) => {
      // Remote carets are widgets inside the text: their name labels are not document text.
      const copy = block.cloneNode(true) as HTMLElement;
      for (const caret of copy.querySelectorAll('.collaboration-carets__caret')) caret.remove();
      return copy.textContent ?? '';
    }).join('\n');
  });
}

/** Waits until the editor's text satisfies `predicate`; fails with the last text seen. */
export async function waitForText(page: Page, predicate: (text: string) => boolean, what: string, timeoutMs = DEADLINE_MS): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let text = '';
  for (;;) {
    text = await editorText(page);
    if (predicate(text)) return text;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; editor text: ${JSON.stringify(text)}`);
    await page.waitForTimeout(50);
  }
}

/** Puts the caret at the end of the text block that contains `marker`. */
export async function placeCaretAfter(page: Page, marker: string): Promise<void> {
  const block = editor(page).locator('p', { hasText: marker }).first();
  await block.click();
  await page.keyboard.press('End');
}

/**
 * Puts the caret at the very end of the document and checks that it is there before returning.
 * ProseMirror can apply a click's selection after a key press that followed it closely, which
 * left Control+End undone now and then on a loaded machine.
 */
export async function placeCaretAtEnd(page: Page): Promise<void> {
  await editor(page).click();
  const deadline = Date.now() + DEADLINE_MS;
  for (;;) {
    await page.keyboard.press('Control+End');
    const atEnd = await editor(page).evaluate((root) => {
      const selection = root.ownerDocument.getSelection();
      if (!selection?.isCollapsed || !selection.focusNode || !root.contains(selection.focusNode)) return false;
      const after = root.ownerDocument.createRange();
      after.selectNodeContents(root);
      after.setStart(selection.focusNode, selection.focusOffset);
      const rest = after.cloneContents();
      // Other people's carets are widgets in the text; their name labels are not content.
      for (const caret of rest.querySelectorAll('.collaboration-carets__caret')) caret.remove();
      if (rest.textContent !== '') return false;
      // And ProseMirror's own selection, which the next key acts on, agrees (TipTap keeps the
      // editor on its element): under load it had not yet read the DOM's, and a key pressed
      // then went to the start.
      const tiptap = (root as unknown as { editor?: { state: { selection: { empty: boolean; to: number }; doc: { content: { size: number } } } } }).editor;
      return tiptap === undefined || (tiptap.state.selection.empty && tiptap.state.selection.to === tiptap.state.doc.content.size - 1);
    });
    if (atEnd) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${DEADLINE_MS} ms putting the caret at the end of the document`);
    await page.waitForTimeout(50);
  }
}
