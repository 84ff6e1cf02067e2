/**
 * The admin page's views of one overview answer (shared/admin-overview.ts): the stat cards, the
 * live documents with a row per connection, and the recent errors. Built with the DOM (text
 * nodes, never HTML strings), so names and log messages are shown, not interpreted. Rows carry
 * test ids and `data-` attributes; the Close buttons carry the connection id for the page's click
 * handler.
 */
import type { AdminOverview, ConnectionSummary, DocumentOverview, RecentError } from '../../shared/admin-overview.js';

type Child = Node | string | null;

/** A small element builder: attributes, then children (strings become text nodes). */
export function h(tag: string, attributes: Record<string, string> = {}, ...children: Child[]): HTMLElement {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  for (const child of children) if (child !== null) element.append(child);
  return element;
}

export function renderStats(overview: AdminOverview): HTMLElement {
  const stat = (label: string, value: string, testId: string, title?: string): HTMLElement =>
    h('div', { class: 'admin-stat', ...(title ? { title } : {}) }, h('span', { class: 'admin-stat-value', 'data-testid': testId }, value), h('span', { class: 'admin-stat-label' }, label));
  const { store } = overview;
  return h(
    'div',
    { class: 'admin-stats' },
    stat('Live documents', String(overview.totals.documents), 'stat-documents'),
    stat('Connections', String(overview.totals.connections), 'stat-connections'),
    stat('Stored documents', store ? String(store.documents) : '—', 'stat-stored', store ? `listed ${clock(store.measuredAt)}` : (overview.storeError ?? '')),
    stat('Store size', store ? formatBytes(store.bytes) : '—', 'stat-bytes', store ? `listed ${clock(store.measuredAt)}` : (overview.storeError ?? '')),
  );
}

export function renderDocuments(overview: AdminOverview): HTMLElement {
  if (overview.documents.length === 0) return h('p', { class: 'admin-empty' }, 'No document is open right now.');
  const shown = overview.documents.length;
  const omitted = overview.totals.documents > shown ? h('p', { class: 'admin-hint' }, `Showing the ${shown} busiest of ${overview.totals.documents} documents.`) : null;
  return h('div', { class: 'admin-docs' }, omitted, ...overview.documents.map(renderDocument));
}

function renderDocument(doc: DocumentOverview): HTMLElement {
  const count = doc.connectionCount;
  const meta = [`${count} connection${count === 1 ? '' : 's'}${count > doc.connections.length ? ` (oldest ${doc.connections.length} shown)` : ''}`];
  if (doc.leases > 0) meta.push(`${doc.leases} lease${doc.leases === 1 ? '' : 's'}`);
  if (!doc.loaded) meta.push('loading');
  const rows = doc.connections.map(renderConnection);
  return h(
    'article',
    { class: 'admin-doc', 'data-testid': 'admin-document', 'data-doc': doc.name },
    h('header', { class: 'admin-doc-head' }, h('a', { class: 'admin-doc-name', href: `/d/${encodeURIComponent(doc.name)}` }, doc.name), h('span', { class: 'admin-doc-meta' }, meta.join(' · '))),
    count === 0
      ? h('p', { class: 'admin-empty' }, 'Held by server code only.')
      : h(
          'table',
          { class: 'admin-table' },
          h('thead', {}, h('tr', {}, ...['User', 'Access', 'Connected', 'Address', 'Connection', ''].map((label) => h('th', { scope: 'col' }, label)))),
          h('tbody', {}, ...rows),
        ),
  );
}

function renderConnection(connection: ConnectionSummary): HTMLElement {
  const who = connection.name ?? connection.sub;
  return h(
    'tr',
    { 'data-testid': 'admin-connection', 'data-conn-id': connection.id, 'data-sub': connection.sub },
    h('td', {}, h('span', { class: 'admin-user', 'data-testid': 'admin-connection-user' }, who), connection.name ? h('span', { class: 'admin-sub' }, connection.sub) : null),
    h('td', {}, h('span', { class: `admin-badge admin-badge-${connection.access}` }, connection.access === 'read-write' ? 'Can edit' : 'View only')),
    h('td', {}, h('time', { datetime: connection.connectedAt, title: new Date(connection.connectedAt).toLocaleString() }, since(connection.connectedAt))),
    h('td', { class: 'admin-mono' }, connection.remoteAddress),
    h('td', { class: 'admin-mono' }, connection.id),
    h('td', { class: 'admin-actions' }, h('button', { type: 'button', class: 'btn btn-small', 'data-action': 'close', 'data-conn-id': connection.id, 'aria-label': `Close connection ${connection.id} of ${who}` }, 'Close')),
  );
}

export function renderRecentErrors(errors: RecentError[]): HTMLElement {
  if (errors.length === 0) return h('p', { class: 'admin-empty' }, 'No warnings or errors logged since the server started.');
  return h(
    'table',
    { class: 'admin-table admin-errors' },
    h('thead', {}, h('tr', {}, ...['Time', 'Level', 'Message', 'Document', 'Connection', 'Code'].map((label) => h('th', { scope: 'col' }, label)))),
    h(
      'tbody',
      {},
      ...errors.map((entry) =>
        h(
          'tr',
          { 'data-testid': 'admin-error-row', 'data-level': entry.level },
          h('td', {}, h('time', { datetime: entry.time, title: entry.time }, clock(entry.time))),
          h('td', {}, h('span', { class: `admin-badge admin-level-${entry.level}` }, entry.level)),
          h('td', { class: 'admin-message' }, entry.msg, entry.error ? h('span', { class: 'admin-sub' }, entry.error) : null),
          h('td', { class: 'admin-mono' }, entry.doc ?? ''),
          h('td', { class: 'admin-mono' }, entry.connId ?? entry.reqId?.slice(0, 8) ?? ''),
          h('td', { class: 'admin-mono' }, [entry.code, entry.reason].filter((part) => part !== undefined).join(' ')),
        ),
      ),
    ),
  );
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GB`;
}

/** Local time of day, hh:mm:ss. */
export function clock(iso: string): string {
  return new Date(iso).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/** How long ago, coarsely: "12 s", "5 min", "3 h", "2 d". */
function since(iso: string, now = Date.now()): string {
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (!Number.isFinite(seconds)) return '';
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)} h`;
  return `${Math.floor(seconds / 86400)} d`;
}
