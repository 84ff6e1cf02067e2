/** The start page: create a document, open one by name, or pick one the server has. */
import { isValidDocName } from '../../shared/doc-name.js';
import { randomDocName } from '../doc-names.js';
import { icon } from '../ui/icons.js';
import { brandMarkup, escapeHtml } from './brand.js';

interface DocumentSummary {
  name: string;
  bytes: number;
  updatedAt: string;
}

export function renderStartPage(root: HTMLElement, error: string | null): void {
  document.title = 'Tandem — write together';
  root.innerHTML = `
    <header class="app-header">${brandMarkup()}</header>
    <main class="start">
      <section class="hero" aria-labelledby="hero-title">
        <h1 id="hero-title">Write together, in real time.</h1>
        <p class="lede">Share a link and edit the same document at once. Tandem keeps working offline and saves every change to your server.</p>
        <div class="hero-actions">
          <button type="button" class="btn btn-primary btn-large" data-testid="new-document">${icon('plus')}<span>New document</span></button>
        </div>
        <form class="open-form" data-testid="open-form" novalidate>
          <label for="open-name">Open a document by name</label>
          <div class="open-row">
            <input id="open-name" name="name" autocomplete="off" spellcheck="false" placeholder="e.g. team-notes" maxlength="128" aria-describedby="open-error" />
            <button type="submit" class="btn">${icon('arrowRight')}<span>Open</span></button>
          </div>
          <p id="open-error" class="form-error" role="alert">${error ? escapeHtml(error) : ''}</p>
        </form>
      </section>
      <section class="doc-list" aria-labelledby="docs-title">
        <div class="doc-list-head"><h2 id="docs-title">Documents</h2><span class="doc-count" data-testid="document-count"></span></div>
        <ul data-testid="document-list" aria-busy="true"><li class="doc-empty">Loading…</li></ul>
      </section>
    </main>`;

  root.querySelector('[data-testid="new-document"]')!.addEventListener('click', () => {
    location.assign(`/d/${randomDocName()}`);
  });
  const form = root.querySelector<HTMLFormElement>('.open-form')!;
  const input = form.querySelector('input')!;
  const errorLine = form.querySelector('.form-error')!;
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const name = input.value.trim();
    if (!isValidDocName(name)) {
      errorLine.textContent = 'Use 1–128 letters, digits, dots, dashes or underscores.';
      input.setAttribute('aria-invalid', 'true');
      input.focus();
      return;
    }
    location.assign(`/d/${encodeURIComponent(name)}`);
  });
  input.addEventListener('input', () => {
    errorLine.textContent = '';
    input.removeAttribute('aria-invalid');
  });

  void loadDocuments(root.querySelector('[data-testid="document-list"]')!, root.querySelector('[data-testid="document-count"]')!);
}

async function loadDocuments(list: HTMLElement, count: HTMLElement): Promise<void> {
  try {
    // The most recently changed page of documents; with more, the count says so ("100+").
    const response = await fetch('/api/docs?limit=100', { headers: { accept: 'application/json' } });
    if (!response.ok) throw new Error(`the server answered ${response.status}`);
    const { documents, nextCursor } = (await response.json()) as { documents: DocumentSummary[]; nextCursor?: string | null };
    list.setAttribute('aria-busy', 'false');
    count.textContent = documents.length === 0 ? '' : `${documents.length}${nextCursor ? '+' : ''}`;
    if (documents.length === 0) {
      list.innerHTML = '<li class="doc-empty">No documents yet. Create the first one.</li>';
      return;
    }
    list.replaceChildren(
      ...documents.map((doc) => {
        const item = document.createElement('li');
        item.innerHTML = `<a class="doc-link" href="/d/${encodeURIComponent(doc.name)}" data-testid="document-link">
          <span class="doc-icon">${icon('file')}</span>
          <span class="doc-name">${escapeHtml(doc.name)}</span>
          <span class="doc-meta"><time datetime="${escapeHtml(doc.updatedAt)}">${escapeHtml(relativeTime(doc.updatedAt))}</time> · ${formatBytes(doc.bytes)}</span>
        </a>`;
        return item;
      }),
    );
  } catch (error) {
    list.setAttribute('aria-busy', 'false');
    list.innerHTML = `<li class="doc-empty">Could not load the document list (${escapeHtml(String((error as Error).message ?? error))}).</li>`;
  }
}

function relativeTime(iso: string, now = Date.now()): string {
  const seconds = Math.round((now - Date.parse(iso)) / 1000);
  if (!Number.isFinite(seconds)) return '';
  if (seconds < 45) return 'just now';
  const units: Array<[number, Intl.RelativeTimeFormatUnit]> = [[60, 'minute'], [3600, 'hour'], [86400, 'day'], [604800, 'week']];
  const format = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
  for (let i = units.length - 1; i >= 0; i--) {
    const [size, unit] = units[i]!;
    if (seconds >= size) return format.format(-Math.round(seconds / size), unit);
  }
  return 'just now';
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
