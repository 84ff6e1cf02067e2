/**
 * The history panel's two questions: "Name this version" (an inline form, so the name is typed
 * where the list is) and the restore confirmation (a modal <dialog>: Escape or Cancel says no).
 */
import type { TandemStrings } from './strings.js';

export interface NameForm {
  element: HTMLFormElement;
  open(): void;
  close(): void;
}

export function createNameForm(strings: TandemStrings, onSubmit: (name: string) => void): NameForm {
  const form = document.createElement('form');
  form.className = 'tandem-history-name-form';
  form.hidden = true;
  const label = document.createElement('label');
  label.textContent = strings.historyNameLabel;
  const input = document.createElement('input');
  input.type = 'text';
  input.required = true;
  input.maxLength = 200;
  input.dataset.testid = 'history-name-input';
  label.append(input);
  const save = button(strings.historyNameSave, 'tandem-button tandem-button-primary', 'history-name-save');
  save.type = 'submit';
  const cancel = button(strings.historyCancel, 'tandem-button tandem-button-quiet');
  form.append(label, save, cancel);
  const close = (): void => {
    form.hidden = true;
    input.value = '';
  };
  cancel.addEventListener('click', close);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const name = input.value.trim();
    if (name === '') return;
    close();
    onSubmit(name);
  });
  form.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') close();
  });
  return {
    element: form,
    open() {
      form.hidden = false;
      input.focus();
    },
    close,
  };
}

export interface ConfirmDialog {
  element: HTMLDialogElement;
  /** Resolves true when the user confirms. */
  ask(question: string): Promise<boolean>;
  destroy(): void;
}

export function createConfirmDialog(strings: TandemStrings): ConfirmDialog {
  const dialog = document.createElement('dialog');
  dialog.className = 'tandem-history-confirm';
  dialog.dataset.testid = 'history-confirm';
  const text = document.createElement('p');
  text.id = `tandem-confirm-${Math.random().toString(36).slice(2)}`;
  dialog.setAttribute('aria-describedby', text.id);
  const actions = document.createElement('div');
  actions.className = 'tandem-history-actions';
  const confirm = button(strings.historyRestoreConfirm, 'tandem-button tandem-button-primary', 'history-confirm-restore');
  const cancel = button(strings.historyCancel, 'tandem-button tandem-button-quiet', 'history-confirm-cancel');
  actions.append(cancel, confirm);
  dialog.append(text, actions);
  let answer: ((yes: boolean) => void) | null = null;
  const settle = (yes: boolean): void => {
    answer?.(yes);
    answer = null;
    if (dialog.open) dialog.close();
  };
  confirm.addEventListener('click', () => settle(true));
  cancel.addEventListener('click', () => settle(false));
  // Escape closes the dialog: that is a no.
  dialog.addEventListener('close', () => settle(false));
  return {
    element: dialog,
    ask(question) {
      settle(false);
      text.textContent = question;
      dialog.showModal();
      cancel.focus();
      return new Promise((resolve) => (answer = resolve));
    },
    destroy() {
      settle(false);
      dialog.remove();
    },
  };
}

export function button(label: string, className: string, testId?: string): HTMLButtonElement {
  const element = document.createElement('button');
  element.type = 'button';
  element.className = className;
  element.textContent = label;
  if (testId) element.dataset.testid = testId;
  return element;
}
