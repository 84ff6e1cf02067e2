/**
 * The version history side panel: the list of versions (time, kind, name, who edited), a preview
 * of the selected one with what changed against the current document, "Name this version" and
 * "Restore" (with a confirmation). Naming and restoring are shown only with write access
 * (`canWrite`, re-read on every `update()`); the server refuses them to readers anyway.
 */
import { planHighlights } from '../history/diff-highlight.js';
import type { HistoryApi, VersionEntry } from '../history/history-api.js';
import { applyHighlights, sanitizeHtml } from '../history/version-preview.js';
import { button, createConfirmDialog, createNameForm } from './history-forms.js';
import { format, type TandemStrings } from './strings.js';

export interface HistoryPanelOptions {
  api: HistoryApi;
  strings: TandemStrings;
  /** Whether naming and restoring are offered right now. */
  canWrite: () => boolean;
  /** Restores a version (history/undoable-restore.ts). */
  restore: (id: number) => Promise<unknown>;
}

export interface HistoryPanel {
  element: HTMLElement;
  readonly isOpen: boolean;
  open(): void;
  close(): void;
  /** Access may have changed: show or hide naming and restoring. */
  update(): void;
  destroy(): void;
}

export function createHistoryPanel(options: HistoryPanelOptions): HistoryPanel {
  const { api, strings } = options;
  const panel = document.createElement('aside');
  panel.className = 'tandem-history';
  panel.dataset.testid = 'history-panel';
  panel.setAttribute('aria-label', strings.history);
  panel.hidden = true;

  const header = document.createElement('div');
  header.className = 'tandem-history-header';
  const title = document.createElement('h2');
  title.textContent = strings.history;
  const closeButton = button('×', 'tandem-button tandem-button-quiet tandem-history-close', 'history-close');
  closeButton.setAttribute('aria-label', strings.historyClose);
  header.append(title, closeButton);

  const nameButton = button(strings.historyNameVersion, 'tandem-button', 'history-name');
  const nameForm = createNameForm(strings, (name) => void run(async () => {
    const version = await api.name(name);
    message.textContent = format(strings.historyNamed, { name: version.name ?? name });
    await loadList(version.id);
  }));
  const message = document.createElement('p');
  message.className = 'tandem-history-message';
  message.setAttribute('role', 'status');
  message.dataset.testid = 'history-message';

  const list = document.createElement('ul');
  list.className = 'tandem-history-list';
  list.dataset.testid = 'history-list';
  list.setAttribute('aria-label', strings.historyVersions);

  const preview = document.createElement('section');
  preview.className = 'tandem-history-preview';
  preview.dataset.testid = 'history-preview';
  preview.hidden = true;
  const previewTitle = document.createElement('h3');
  const legend = document.createElement('p');
  legend.className = 'tandem-history-legend';
  const restoreButton = button(strings.historyRestore, 'tandem-button tandem-button-primary', 'history-restore');
  const content = document.createElement('div');
  content.className = 'tandem-prose tandem-history-content';
  content.dataset.testid = 'history-preview-content';
  preview.append(previewTitle, legend, restoreButton, content);

  const confirm = createConfirmDialog(strings);
  panel.append(header, nameButton, nameForm.element, message, list, preview, confirm.element);

  let versions: VersionEntry[] = [];
  let selected: VersionEntry | null = null;
  let previewRequest = 0;
  let isDestroyed = false;

  /** Runs a call, showing its failure in the panel. */
  const run = async (work: () => Promise<void>): Promise<void> => {
    try {
      await work();
    } catch (error) {
      if (!isDestroyed) message.textContent = format(strings.historyFailed, { message: (error as Error).message ?? String(error) });
    }
  };

  const describe = (version: VersionEntry): string => new Date(version.createdAt).toLocaleString();
  const kindLabel = (version: VersionEntry): string =>
    ({ auto: strings.historyKindAuto, named: strings.historyKindNamed, 'pre-restore': strings.historyKindPreRestore, restore: strings.historyKindRestore })[version.kind] ?? version.kind;

  const renderList = (): void => {
    list.replaceChildren();
    if (versions.length === 0) {
      const empty = document.createElement('li');
      empty.className = 'tandem-history-empty';
      empty.textContent = strings.historyEmpty;
      list.append(empty);
      return;
    }
    for (const version of versions) {
      const item = document.createElement('li');
      const entry = button('', 'tandem-history-entry', 'history-version');
      entry.dataset.versionId = String(version.id);
      entry.setAttribute('aria-pressed', String(selected?.id === version.id));
      const time = document.createElement('time');
      time.dateTime = version.createdAt;
      time.textContent = describe(version);
      const kind = document.createElement('span');
      kind.className = `tandem-history-kind tandem-history-kind-${version.kind}`;
      kind.textContent = kindLabel(version);
      entry.append(time, kind);
      if (version.name) {
        const name = document.createElement('span');
        name.className = 'tandem-history-name';
        name.textContent = version.name;
        entry.append(name);
      }
      const names = [...new Set(version.editors.map((editor) => editor.name ?? editor.sub))];
      if (names.length > 0) {
        const editors = document.createElement('span');
        editors.className = 'tandem-history-editors';
        editors.textContent = format(strings.historyEditedBy, { names: names.join(', ') });
        entry.append(editors);
      }
      entry.addEventListener('click', () => void select(version));
      item.append(entry);
      list.append(item);
    }
  };

  const loadList = async (selectId?: number): Promise<void> => {
    versions = await api.list();
    if (isDestroyed) return;
    renderList();
    const next = versions.find((v) => v.id === (selectId ?? selected?.id));
    if (next) await select(next);
  };

  const select = async (version: VersionEntry): Promise<void> => {
    selected = version;
    for (const entry of list.querySelectorAll<HTMLElement>('[data-version-id]')) entry.setAttribute('aria-pressed', String(entry.dataset.versionId === String(version.id)));
    const request = ++previewRequest;
    preview.hidden = false;
    previewTitle.textContent = format(strings.historyPreview, { time: describe(version) }) + (version.name ? ` — ${version.name}` : '');
    legend.textContent = strings.historyLoading;
    content.replaceChildren();
    await run(async () => {
      const [html, diff] = await Promise.all([api.previewHtml(version.id), api.diff(version.id)]);
      if (request !== previewRequest || isDestroyed) return;
      content.replaceChildren(sanitizeHtml(html));
      const isUnchanged = diff.added.length === 0 && diff.removed.length === 0 && diff.changes.length === 0;
      const isMarked = applyHighlights(content, planHighlights(diff), diff.blocks.version, { added: strings.historyAdded, removed: strings.historyRemoved });
      legend.textContent = isUnchanged ? strings.historyUnchanged : isMarked ? strings.historyLegend : '';
    });
  };

  restoreButton.addEventListener('click', () => {
    const version = selected;
    if (!version) return;
    void run(async () => {
      if (!(await confirm.ask(format(strings.historyRestoreQuestion, { time: describe(version) })))) return;
      restoreButton.disabled = true;
      message.textContent = strings.historyRestoring;
      try {
        await options.restore(version.id);
      } finally {
        restoreButton.disabled = false;
      }
      if (isDestroyed) return;
      message.textContent = strings.historyRestored;
      await loadList(version.id);
    });
  });
  nameButton.addEventListener('click', () => nameForm.open());
  closeButton.addEventListener('click', () => close());
  panel.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && !confirm.element.open) close();
  });

  const update = (): void => {
    const canWrite = options.canWrite();
    nameButton.hidden = !canWrite;
    restoreButton.hidden = !canWrite;
    if (!canWrite) nameForm.close();
  };
  const close = (): void => {
    panel.hidden = true;
    panel.dispatchEvent(new Event('tandem-history-toggle'));
  };
  update();

  return {
    element: panel,
    get isOpen() {
      return !panel.hidden;
    },
    open() {
      panel.hidden = false;
      message.textContent = strings.historyLoading;
      update();
      void run(async () => {
        await loadList();
        if (message.textContent === strings.historyLoading) message.textContent = '';
      });
      panel.dispatchEvent(new Event('tandem-history-toggle'));
      closeButton.focus();
    },
    close,
    update,
    destroy() {
      isDestroyed = true;
      confirm.destroy();
      panel.remove();
    },
  };
}
