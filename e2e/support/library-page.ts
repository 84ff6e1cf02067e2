/**
 * A page that runs the script-tag library (/lib/tandem-editor.js) the way an embedding app
 * would, with a recorder: every WebSocket the page opens (and which are still open), every
 * status the editor reports, and every state the status pill shows.
 */
import type { Page } from 'playwright-core';

export interface PageRecord {
  /** WebSocket constructions. */
  socketsOpened: number;
  /** Sockets not yet closed. */
  socketsLive: number;
  /** Every status passed to onStatus: `connection/save`. */
  statuses: string[];
  /** Every `data-connection` the status pill took. */
  pillStates: string[];
  /** Calls of the token function. */
  tokenCalls: number;
  /** Close codes of the sockets, in order (1006 for a socket that never opened). */
  closeCodes: number[];
}

/**
 * Wraps `WebSocket` before any page script runs, so every socket is counted; call on the
 * context or page before navigating.
 */
export async function recordSockets(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const record = { socketsOpened: 0, socketsLive: 0, statuses: [] as string[], pillStates: [] as string[], tokenCalls: 0, closeCodes: [] as number[] };
    (window as unknown as { tandemRecord: typeof record }).tandemRecord = record;
    const Native = window.WebSocket;
    window.WebSocket = class extends Native {
      constructor(url: string | URL, protocols?: string | string[]) {
        super(url, protocols);
        record.socketsOpened++;
        record.socketsLive++;
        this.addEventListener(
          'close',
          (event) => {
            record.socketsLive--;
            record.closeCodes.push(event.code);
          },
          { once: true },
        );
      }
    };
  });
}

/** Records every `data-connection` the status pill under `root` takes, intermediate ones included. */
export async function recordPill(page: Page): Promise<void> {
  await page.evaluate(() => {
    const record = (window as unknown as { tandemRecord: PageRecord }).tandemRecord;
    const pill = document.querySelector<HTMLElement>('[data-testid="status"]');
    if (!pill) throw new Error('no status pill on the page');
    record.pillStates.push(pill.dataset.connection ?? '');
    new MutationObserver((mutations) => {
      // Several changes in one task arrive together: their old values give every state taken.
      for (const mutation of mutations.slice(1)) record.pillStates.push(mutation.oldValue ?? '');
      record.pillStates.push(pill.dataset.connection ?? '');
    }).observe(pill, { attributes: true, attributeFilter: ['data-connection'], attributeOldValue: true });
  });
}

export async function readRecord(page: Page): Promise<PageRecord> {
  return page.evaluate(() => (window as unknown as { tandemRecord: PageRecord }).tandemRecord);
}

/**
 * A blank page on the server's origin (its health check) with the script-tag library loaded as
 * `window.tandemLib`, as an embedding page would load it. (A module script tag, because the test
 * runner rewrites `import()` inside functions passed to the page.)
 */
export async function openLibraryPage(page: Page, baseUrl: string): Promise<void> {
  await page.goto(`${baseUrl}/healthz`);
  await page.evaluate(() => {
    document.body.replaceChildren();
    document.body.style.margin = '0';
  });
  await page.addScriptTag({ type: 'module', content: "import * as lib from '/lib/tandem-editor.js'; window.tandemLib = lib;" });
  await page.waitForFunction(() => 'tandemLib' in window);
}
