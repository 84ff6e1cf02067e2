/**
 * The admin page's revoke form: a subject, a document, or both (POST /api/admin/revoke). Every
 * token of that subject (for that document) issued before now is refused from then on and its
 * connections close with 4409. The answer, or the server's error, is shown under the form.
 */
import { isValidDocName } from '../../shared/doc-name.js';
import type { RevokeResult } from '../app/admin-api.js';
import { h } from './admin-view.js';

export interface RevokeFormOptions {
  revoke: (scope: { sub?: string; doc?: string }) => Promise<RevokeResult>;
  /** After a revocation went through (to refresh the overview). */
  onRevoked: () => void;
  /** Turns a failure into the sentence shown. */
  describeError: (error: unknown) => string;
}

export function createRevokeForm(options: RevokeFormOptions): HTMLFormElement {
  const sub = h('input', { id: 'revoke-sub', name: 'sub', autocomplete: 'off', spellcheck: 'false', maxlength: '256', placeholder: 'e.g. alice' }) as HTMLInputElement;
  const doc = h('input', { id: 'revoke-doc', name: 'doc', autocomplete: 'off', spellcheck: 'false', maxlength: '128', placeholder: 'every document' }) as HTMLInputElement;
  const submit = h('button', { type: 'submit', class: 'btn btn-danger' }, 'Revoke') as HTMLButtonElement;
  const result = h('p', { class: 'admin-form-result', role: 'status', 'aria-live': 'polite', 'data-testid': 'revoke-result' });
  const form = h(
    'form',
    { class: 'admin-revoke', 'data-testid': 'revoke-form', method: 'post', novalidate: '' },
    h('div', { class: 'admin-field' }, h('label', { for: 'revoke-sub' }, 'Subject (token sub)'), sub),
    h('div', { class: 'admin-field' }, h('label', { for: 'revoke-doc' }, 'Document (optional)'), doc),
    h('div', { class: 'admin-field admin-field-action' }, submit),
    result,
  ) as HTMLFormElement;

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const scope: { sub?: string; doc?: string } = {};
    if (sub.value.trim() !== '') scope.sub = sub.value.trim();
    if (doc.value.trim() !== '') scope.doc = doc.value.trim();
    result.dataset.state = 'error';
    if (!scope.sub && !scope.doc) {
      result.textContent = 'Give a subject, a document, or both.';
      return;
    }
    if (scope.doc !== undefined && !isValidDocName(scope.doc)) {
      result.textContent = 'Document names are 1–128 letters, digits, dots, dashes or underscores.';
      return;
    }
    submit.disabled = true;
    result.dataset.state = 'busy';
    result.textContent = 'Revoking…';
    options.revoke(scope).then(
      (answer) => {
        const who = [scope.sub ? `subject “${scope.sub}”` : 'every subject', scope.doc ? `on “${scope.doc}”` : 'on every document'].join(' ');
        const closed = answer.closedConnections;
        result.dataset.state = 'ok';
        result.textContent = `Revoked tokens of ${who} issued before ${new Date(answer.revoked.before).toLocaleTimeString()}; ${closed} connection${closed === 1 ? '' : 's'} closed.`;
        sub.value = '';
        doc.value = '';
        options.onRevoked();
      },
      (error: unknown) => {
        result.dataset.state = 'error';
        result.textContent = options.describeError(error);
      },
    ).finally(() => {
      submit.disabled = false;
    });
  });
  return form;
}
