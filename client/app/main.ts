/** The Tandem app: `/` is the start page, `/d/<name>` a document, `/admin` the admin page. Plain page loads between them. */
import '../styles/app.css';
import { isValidDocName } from '../../shared/doc-name.js';
import { renderDocumentPage } from './document-page.js';
import { renderStartPage } from './start-page.js';
import { renderAdminPage } from './admin-page.js';

const root = document.getElementById('app')!;
const match = /^\/d\/([^/]+)\/?$/.exec(location.pathname);
const name = match ? safeDecode(match[1]!) : null;

if (/^\/admin\/?$/.test(location.pathname)) {
  renderAdminPage(root);
} else if (name !== null && isValidDocName(name)) {
  renderDocumentPage(root, name);
} else {
  renderStartPage(root, match ? `“${name ?? match[1]}” is not a valid document name.` : null);
}

// The service worker keeps the app shell so a document reloads while the server is away.
if (import.meta.env.PROD && 'serviceWorker' in navigator) {
  navigator.serviceWorker.register('/sw.js').catch((error: unknown) => {
    console.warn('tandem: offline reloads are unavailable (service worker not registered)', error);
  });
}

function safeDecode(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    // A malformed %-escape is simply not a valid name.
    return null;
  }
}
