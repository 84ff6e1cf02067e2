/** The small inline form that sets or removes the link on the selection. */
import type { Editor } from '@tiptap/core';
import type { TandemStrings } from './strings.js';

export interface LinkForm {
  element: HTMLFormElement;
  focus(): void;
  destroy(): void;
}

export function createLinkForm(editor: Editor, strings: TandemStrings, onClose: () => void): LinkForm {
  const form = document.createElement('form');
  form.className = 'tandem-link-form';
  form.setAttribute('aria-label', strings.linkForm);
  form.dataset.testid = 'link-form';
  const current = (editor.getAttributes('link') as { href?: unknown }).href;
  form.innerHTML = `
    <label class="tandem-sr-only" for=""></label>
    <input type="url" inputmode="url" autocomplete="off" spellcheck="false" />
    <button type="submit" class="tandem-button tandem-button-primary"></button>
    <button type="button" class="tandem-button" data-action="remove"></button>
    <button type="button" class="tandem-button tandem-button-quiet" data-action="cancel"></button>`;
  const input = form.querySelector('input')!;
  const label = form.querySelector('label')!;
  // Set as text, not markup: the strings come from the app.
  label.textContent = strings.linkAddress;
  input.placeholder = strings.linkPlaceholder;
  form.querySelector('[type="submit"]')!.textContent = strings.linkApply;
  form.querySelector('[data-action="remove"]')!.textContent = strings.linkRemove;
  form.querySelector('[data-action="cancel"]')!.textContent = strings.linkCancel;
  input.id = `tandem-link-${Math.random().toString(36).slice(2, 10)}`;
  label.htmlFor = input.id;
  input.value = typeof current === 'string' ? current : '';

  const close = (): void => {
    form.remove();
    onClose();
    editor.commands.focus();
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const href = input.value.trim();
    if (href === '') editor.chain().focus().extendMarkRange('link').unsetLink().run();
    else editor.chain().focus().extendMarkRange('link').setLink({ href }).run();
    close();
  });
  form.querySelector('[data-action="remove"]')!.addEventListener('click', () => {
    editor.chain().focus().extendMarkRange('link').unsetLink().run();
    close();
  });
  form.querySelector('[data-action="cancel"]')!.addEventListener('click', close);
  form.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      close();
    }
  });
  return {
    element: form,
    focus: () => input.focus(),
    destroy: () => form.remove(),
  };
}
