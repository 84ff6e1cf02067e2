/**
 * A document at /d/<name>: the header (name, share link, who you are) and the editor.
 * A `?token=` in the URL is passed on to the server (and decides read-only vs editable);
 * `?transport=http` (or `websocket`, `auto`) chooses the editor's transport option.
 */
import { createEditor, type TandemEditor } from '../create-editor.js';
import { cleanName, loadUser, saveUser, USER_COLORS } from '../identity.js';
import { icon } from '../ui/icons.js';
import { brandMarkup, escapeHtml } from './brand.js';

export function renderDocumentPage(root: HTMLElement, name: string): void {
  document.title = `${name} — Tandem`;
  const user = loadUser();
  const query = new URLSearchParams(location.search);
  const token = query.get('token') ?? undefined;
  const transport = query.get('transport');
  root.innerHTML = `
    <header class="app-header">
      ${brandMarkup()}
      <span class="crumb" aria-hidden="true">/</span>
      <h1 class="doc-title" data-testid="document-title">${escapeHtml(name)}</h1>
      <div class="header-actions">
        <button type="button" class="btn btn-quiet" data-testid="share">${icon('link')}<span class="btn-label">Copy link</span></button>
        <button type="button" class="user-chip" data-testid="user-chip" aria-haspopup="dialog">
          <span class="user-dot" aria-hidden="true"></span><span class="user-chip-name"></span>
        </button>
      </div>
    </header>
    <main class="doc-main"><div class="doc-editor" data-testid="editor-host"></div></main>
    <dialog class="user-dialog" aria-labelledby="user-dialog-title">
      <form method="dialog">
        <h2 id="user-dialog-title">How others see you</h2>
        <label for="user-name">Your name</label>
        <input id="user-name" name="name" maxlength="40" autocomplete="nickname" required />
        <fieldset class="swatches"><legend>Colour</legend>
          ${USER_COLORS.map((color, i) => `<label class="swatch" style="--swatch:${color}"><input type="radio" name="color" value="${color}" aria-label="Colour ${i + 1}" /><span></span></label>`).join('')}
        </fieldset>
        <div class="dialog-actions">
          <button value="cancel" class="btn btn-quiet" formnovalidate>Cancel</button>
          <button value="save" class="btn btn-primary">Save</button>
        </div>
      </form>
    </dialog>`;

  const chip = root.querySelector<HTMLButtonElement>('[data-testid="user-chip"]')!;
  const showUser = (): void => {
    chip.querySelector('.user-chip-name')!.textContent = user.name;
    chip.style.setProperty('--user-color', user.color);
    chip.setAttribute('aria-label', `You are ${user.name}. Change your name`);
  };
  showUser();

  const host = root.querySelector<HTMLElement>('.doc-editor')!;
  let tandem: TandemEditor;
  try {
    tandem = createEditor({
      element: host,
      serverUrl: location.origin,
      document: name,
      user,
      ...(token ? { token } : {}),
      ...(transport === 'auto' || transport === 'websocket' || transport === 'http' ? { transport } : {}),
    });
  } catch (error) {
    console.error('tandem: the editor failed to start', error);
    host.innerHTML = `<div class="doc-error" role="alert"><h2>This document could not be opened</h2><p>${escapeHtml(String((error as Error).message ?? error))}</p><p><a href="/">Back to all documents</a></p></div>`;
    return;
  }
  if (!tandem.status.readOnly) tandem.editor.commands.focus('end');

  const dialog = root.querySelector<HTMLDialogElement>('.user-dialog')!;
  const nameInput = dialog.querySelector<HTMLInputElement>('#user-name')!;
  chip.addEventListener('click', () => {
    nameInput.value = user.name;
    for (const radio of dialog.querySelectorAll<HTMLInputElement>('input[name="color"]')) radio.checked = radio.value === user.color;
    dialog.showModal();
    nameInput.select();
  });
  dialog.addEventListener('close', () => {
    if (dialog.returnValue !== 'save') return;
    const nextName = cleanName(nameInput.value);
    const color = dialog.querySelector<HTMLInputElement>('input[name="color"]:checked')?.value ?? user.color;
    if (!nextName) return;
    user.name = nextName;
    user.color = color;
    saveUser(user);
    tandem.setUser(user);
    showUser();
  });

  const share = root.querySelector<HTMLButtonElement>('[data-testid="share"]')!;
  share.addEventListener('click', () => {
    const label = share.querySelector('.btn-label')!;
    const url = `${location.origin}/d/${encodeURIComponent(name)}`;
    navigator.clipboard.writeText(url).then(
      () => (label.textContent = 'Link copied'),
      () => (label.textContent = url),
    );
    setTimeout(() => (label.textContent = 'Copy link'), 2000);
  });

  // Leaving announces it at once (presence and carets disappear for the others).
  window.addEventListener('pagehide', () => tandem.destroy(), { once: true });
}
