/**
 * The admin page at /admin: asks for an admin token, then shows this server's live documents with
 * their connections and users, totals, the store's size and the recent warnings and errors,
 * refreshed every few seconds and on demand; closes a connection; revokes a subject's tokens.
 *
 * The token is kept in sessionStorage (this tab only, gone when it closes), sent only in the
 * Authorization header, never put in a URL (the form posts nowhere: it is handled here) and
 * never logged. A refused token (401/403) signs the page out.
 */
import '../styles/admin.css';
import type { AdminOverview } from '../../shared/admin-overview.js';
import { clock, renderDocuments, renderRecentErrors, renderStats } from '../ui/admin-view.js';
import { createRevokeForm } from '../ui/revoke-form.js';
import { AdminApiError, createAdminApi } from './admin-api.js';
import { brandMarkup, escapeHtml } from './brand.js';

const TOKEN_KEY = 'tandem:admin-token';
export const REFRESH_MS = 5_000;

export function renderAdminPage(root: HTMLElement): void {
  document.title = 'Admin — Tandem';
  const token = readToken();
  if (token) showDashboard(root, token);
  else showSignIn(root, null);
}

function showSignIn(root: HTMLElement, message: string | null): void {
  root.innerHTML = `
    ${headerMarkup('')}
    <main class="admin admin-signin">
      <form class="admin-card" data-testid="admin-signin" method="post" novalidate>
        <h2>Sign in with an admin token</h2>
        <p class="admin-hint">A token with <code>"admin": true</code>, for example from
          <code>npx tandem token --sub ops --admin --ttl 1h</code>. It stays in this tab only and is sent in the
          <code>Authorization</code> header, never in a link.</p>
        <label for="admin-token">Admin token</label>
        <div class="open-row">
          <input id="admin-token" name="token" type="password" autocomplete="off" spellcheck="false" aria-describedby="admin-signin-error" />
          <button type="submit" class="btn btn-primary">Sign in</button>
        </div>
        <p id="admin-signin-error" class="form-error" role="alert" data-testid="admin-signin-error">${message ? escapeHtml(message) : ''}</p>
      </form>
    </main>`;
  const form = root.querySelector<HTMLFormElement>('[data-testid="admin-signin"]')!;
  const input = form.querySelector<HTMLInputElement>('#admin-token')!;
  const errorLine = form.querySelector<HTMLElement>('.form-error')!;
  const button = form.querySelector<HTMLButtonElement>('button')!;
  input.focus();
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const token = input.value.trim();
    if (token === '') {
      errorLine.textContent = 'Paste an admin token.';
      return;
    }
    button.disabled = true;
    errorLine.textContent = '';
    // Checked before it is kept: a wrong token is never stored.
    createAdminApi(token)
      .overview()
      .then(
        (overview) => {
          sessionStorage.setItem(TOKEN_KEY, token);
          showDashboard(root, token, overview);
        },
        (error: unknown) => {
          input.value = '';
          errorLine.textContent = describeError(error);
          button.disabled = false;
          input.focus();
        },
      );
  });
}

function showDashboard(root: HTMLElement, token: string, first?: AdminOverview): void {
  const api = createAdminApi(token);
  root.innerHTML = `
    ${headerMarkup(`
      <span class="admin-updated" data-testid="admin-updated" aria-live="off"></span>
      <button type="button" class="btn btn-quiet" data-testid="admin-refresh">Refresh</button>
      <button type="button" class="btn btn-quiet" data-testid="admin-signout">Sign out</button>`)}
    <main class="admin">
      <p class="admin-banner" role="alert" data-testid="admin-error" hidden></p>
      <p class="admin-notice" role="status" aria-live="polite" data-testid="admin-notice"></p>
      <section aria-label="Totals" data-testid="admin-stats"></section>
      <section class="admin-panel" aria-labelledby="admin-docs-title">
        <h2 id="admin-docs-title">Live documents</h2>
        <div data-testid="admin-documents" aria-busy="true"><p class="admin-empty">Loading…</p></div>
      </section>
      <section class="admin-panel" aria-labelledby="admin-revoke-title">
        <h2 id="admin-revoke-title">Revoke access</h2>
        <p class="admin-hint">Refuses every token of a subject (on one document, or all) issued before now and closes its connections. Closing a connection alone does not keep anyone out: the client reconnects if its token still allows it.</p>
      </section>
      <section class="admin-panel" aria-labelledby="admin-errors-title">
        <h2 id="admin-errors-title">Recent warnings and errors</h2>
        <div data-testid="admin-errors"></div>
      </section>
    </main>`;
  const banner = root.querySelector<HTMLElement>('[data-testid="admin-error"]')!;
  const notice = root.querySelector<HTMLElement>('[data-testid="admin-notice"]')!;
  const updated = root.querySelector<HTMLElement>('[data-testid="admin-updated"]')!;
  const stats = root.querySelector<HTMLElement>('[data-testid="admin-stats"]')!;
  const documents = root.querySelector<HTMLElement>('[data-testid="admin-documents"]')!;
  const errors = root.querySelector<HTMLElement>('[data-testid="admin-errors"]')!;

  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let lastShown: string | null = null;

  const signOut = (message: string | null): void => {
    stopped = true;
    clearTimeout(timer);
    sessionStorage.removeItem(TOKEN_KEY);
    document.removeEventListener('visibilitychange', onVisible);
    showSignIn(root, message);
  };
  const show = (overview: AdminOverview): void => {
    banner.hidden = true;
    lastShown = new Date().toISOString();
    updated.textContent = `Updated ${clock(lastShown)}`;
    stats.replaceChildren(renderStats(overview));
    documents.setAttribute('aria-busy', 'false');
    documents.replaceChildren(renderDocuments(overview));
    errors.replaceChildren(renderRecentErrors(overview.recentErrors));
  };
  const fail = (error: unknown): void => {
    if (error instanceof AdminApiError && error.isNotAdmin) return signOut(describeError(error));
    banner.hidden = false;
    banner.textContent = `${describeError(error)}${lastShown ? ` Showing what was true at ${clock(lastShown)}.` : ''}`;
  };
  // One request at a time: the next is scheduled when this one is done, never stacked.
  const refresh = async (): Promise<void> => {
    clearTimeout(timer);
    try {
      show(await api.overview());
    } catch (error) {
      fail(error);
    }
    if (!stopped && !document.hidden) timer = setTimeout(() => void refresh(), REFRESH_MS);
  };
  const onVisible = (): void => {
    if (!document.hidden && !stopped) void refresh();
  };
  document.addEventListener('visibilitychange', onVisible);

  root.querySelector('[data-testid="admin-refresh"]')!.addEventListener('click', () => void refresh());
  root.querySelector('[data-testid="admin-signout"]')!.addEventListener('click', () => signOut(null));
  documents.addEventListener('click', (event) => {
    const button = (event.target as Element).closest<HTMLButtonElement>('button[data-action="close"]');
    const id = button?.dataset.connId;
    if (!button || !id) return;
    button.disabled = true;
    api.closeConnection(id).then(
      () => {
        notice.textContent = `Closed connection ${id}. Its client reconnects if its token still allows it; revoke to keep someone out.`;
        void refresh();
      },
      (error: unknown) => {
        if (error instanceof AdminApiError && error.status === 404) {
          notice.textContent = `Connection ${id} had already gone.`;
          void refresh();
          return;
        }
        button.disabled = false;
        fail(error);
      },
    );
  });
  root.querySelector('[aria-labelledby="admin-revoke-title"]')!.append(
    createRevokeForm({ revoke: (scope) => api.revoke(scope), onRevoked: () => void refresh(), describeError }),
  );

  if (first) {
    show(first);
    timer = setTimeout(() => void refresh(), REFRESH_MS);
  } else {
    void refresh();
  }
}

function headerMarkup(actions: string): string {
  return `<header class="app-header">
      ${brandMarkup()}
      <span class="crumb" aria-hidden="true">/</span>
      <h1 class="doc-title">Admin</h1>
      <div class="header-actions">${actions}</div>
    </header>`;
}

function describeError(error: unknown): string {
  if (!(error instanceof AdminApiError)) return `Something went wrong (${String(error)}).`;
  if (error.isNotAdmin) return `Not an admin token: the server answered ${error.status} (${error.message}).`;
  if (error.status === 409 && error.code === 'auth-disabled') {
    return 'This server runs without auth, so it has no admin API. Configure a key (README, “Auth & security”).';
  }
  if (error.status === 0) return 'Could not reach the server.';
  return `The server answered ${error.status} ${error.code}: ${error.message}`;
}

function readToken(): string | null {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    // Storage disabled (privacy settings): sign in again on every load.
    return null;
  }
}
