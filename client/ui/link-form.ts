/** The small inline form that sets or removes the link on the selection. */
import type { Editor } from '@tiptap/core';

export interface LinkForm {
  element: HTMLFormElement;
  focus(): void;
  destroy(): void;
}

export function createLinkForm(editor: Editor, onClose: () => void): LinkForm {
  const form = document.createElement('form');
  form.className = 'tandem-link-form';
  form.setAttribute('aria-label', 'Edit link');
  form.dataset.testid = 'link-form';
  const current = (editor.getAttributes('link') as { href?: unknown }).href;
  form.innerHTML = `
    <label class="tandem-sr-only" for="">Link address</label>
    <input type="url" inputmode="url" placeholder="Paste or type a link…" autocomplete="off" spellcheck="false" />
    <button type="submit" class="tandem-button tandem-button-primary">Apply</button>
    <button type="button" class="tandem-button" data-action="remove">Remove</button>
    <button type="button" class="tandem-button tandem-button-quiet" data-action="cancel">Cancel</button>`;
  const input = form.querySelector('input')!;
  const label = form.querySelector('label')!;
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
