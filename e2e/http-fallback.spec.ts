/**
 * The HTTP fallback in Chromium. One user's browser context cannot use WebSockets (every one is
 * answered by Playwright's route and closed before the server is reached, what a proxy that
 * accepts and drops them does): the editor falls back to HTTP on its own, says so in the status
 * pill, edits with a user on WebSockets, saves, and rides out going offline like on a WebSocket
 * (the liveness watchdog notices, the offline edits reach the server once back online).
 * Once WebSockets get through again, the background probe moves the editor back to them.
 * `?transport=http` forces the fallback from the start, with no WebSocket at all; so does
 * `<tandem-editor transport="http">`, whose short-lived tokens are renewed over HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { useHarness } from './support/harness.js';
import { startAuthE2EServer, type AuthE2EServer } from './support/auth-e2e-server.js';
import { DEADLINE_MS, editor, editorText, openDocument, placeCaretAtEnd, waitForStatus, waitForText } from './support/editor-page.js';
import { openLibraryPage, readRecord, recordSockets } from './support/library-page.js';

const h = useHarness();

/** Records every connection state the status pill shows, from the first page script on. */
async function recordConnectionStates(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { connectionStates: string[] }).connectionStates = seen;
    new MutationObserver((mutations) => {
      for (const mutation of mutations) {
        const state = (mutation.target as HTMLElement).dataset.connection;
        if (state && seen.at(-1) !== state) seen.push(state);
      }
    }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-connection'] });
  });
}

async function connectionStates(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { connectionStates: string[] }).connectionStates);
}

async function waitForLostConnection(page: Page, timeoutMs: number): Promise<void> {
  await page.waitForFunction(
    () => {
      const state = document.querySelector<HTMLElement>('[data-testid="status"]')?.dataset.connection;
      return state === 'offline' || state === 'reconnecting';
    },
    undefined,
    { timeout: timeoutMs },
  );
}

describe('HTTP fallback', () => {
  it('falls back to HTTP where WebSockets are blocked (reading "Connecting…", never "Offline", meanwhile), edits with a WebSocket user, saves, and comes back from offline with its edits saved', async () => {
    const doc = `fallback-${Date.now().toString(36)}`;
    const ada = await h.newUser('Ada Lovelace');
    const bob = await h.newUser('Bob Hopper', '#e5484d');
    let blocked = 0;
    await ada.context.routeWebSocket(/.*/, (ws) => {
      blocked++;
      void ws.close();
    });
    await recordConnectionStates(ada.page);

    const startedAt = Date.now();
    await openDocument(ada.page, h.server.url, doc);
    // The refused WebSockets were part of connecting: the pill went from connecting to connected.
    expect((await connectionStates(ada.page)).filter((state) => state !== 'connecting')).toEqual(['connected']);
    console.log(`http-fallback: connected over HTTP ${Date.now() - startedAt} ms after navigation (${blocked} WebSockets blocked)`);
    expect(await ada.page.getByTestId('connection-status').textContent()).toBe('Connected · HTTP fallback');
    expect(await ada.page.getByTestId('connection-status').isVisible()).toBe(true);
    expect(await ada.page.getByTestId('status').getAttribute('data-transport')).toBe('http');
    expect(blocked).toBeGreaterThanOrEqual(2);
    await openDocument(bob.page, h.server.url, doc);
    expect(await bob.page.getByTestId('connection-status').textContent()).toBe('Connected');
    // Connected over WebSocket goes without saying; only the save state shows.
    expect(await bob.page.getByTestId('connection-status').isVisible()).toBe(false);

    await editor(ada.page).click();
    await ada.page.keyboard.type('Ada over HTTP.');
    await waitForText(bob.page, (text) => text === 'Ada over HTTP.', "Ada's text at Bob's");
    await placeCaretAtEnd(bob.page);
    await bob.page.keyboard.press('Enter');
    await bob.page.keyboard.type('Bob over WebSocket.');
    const both = 'Ada over HTTP.\nBob over WebSocket.';
    await waitForText(ada.page, (text) => text === both, "Bob's text at Ada's");
    await waitForStatus(ada.page, { connection: 'connected', save: 'saved' });
    await waitForStatus(bob.page, { connection: 'connected', save: 'saved' });
    expect(await ada.page.getByTestId('save-status').textContent()).toBe('All changes saved');
    expect(await editorText(bob.page)).toBe(both);
    expect(await h.server.documentText(doc)).toBe(both);

    await ada.context.setOffline(true);
    await placeCaretAtEnd(ada.page);
    await ada.page.keyboard.type(' Typed offline.');
    const lostAt = Date.now();
    await waitForLostConnection(ada.page, 10_000);
    console.log(`http-fallback: offline noticed ${Date.now() - lostAt} ms after typing`);
    await ada.context.setOffline(false);
    const backAt = Date.now();
    await waitForStatus(ada.page, { connection: 'connected', save: 'saved' }, 10_000);
    console.log(`http-fallback: saved ${Date.now() - backAt} ms after the network came back`);
    expect(await ada.page.getByTestId('connection-status').textContent()).toBe('Connected · HTTP fallback');
    const after = 'Ada over HTTP.\nBob over WebSocket. Typed offline.';
    expect(await h.server.documentText(doc)).toBe(after);
    await waitForText(bob.page, (text) => text === after, "Ada's offline text at Bob's");
  });

  it('moves back to WebSocket when the probe 5 s after falling back gets through, with the edits saved', async () => {
    const doc = `fallback-probe-${Date.now().toString(36)}`;
    const dana = await h.newUser('Dana Probe');
    const gate = { isOpen: false };
    await dana.context.routeWebSocket(/.*/, (ws) => {
      if (gate.isOpen) ws.connectToServer();
      else void ws.close();
    });
    await openDocument(dana.page, h.server.url, doc);
    expect(await dana.page.getByTestId('status').getAttribute('data-transport')).toBe('http');
    await editor(dana.page).click();
    await dana.page.keyboard.type('Before the probe.');
    await waitForStatus(dana.page, { connection: 'connected', save: 'saved' });
    gate.isOpen = true;
    const openedAt = Date.now();
    await dana.page.waitForFunction(
      () => {
        const pill = document.querySelector<HTMLElement>('[data-testid="status"]');
        return pill?.dataset.transport === 'websocket' && pill.dataset.connection === 'connected';
      },
      undefined,
      { timeout: 15_000 },
    );
    console.log(`http-fallback: back on WebSocket ${Date.now() - openedAt} ms after WebSockets got through`);
    expect(await dana.page.getByTestId('connection-status').textContent()).toBe('Connected');
    await placeCaretAtEnd(dana.page);
    await dana.page.keyboard.type(' After.');
    await waitForStatus(dana.page, { connection: 'connected', save: 'saved' });
    expect(await h.server.documentText(doc)).toBe('Before the probe. After.');
  });

  it('with ?transport=http the editor uses HTTP from the start and opens no WebSocket', async () => {
    const doc = `fallback-forced-${Date.now().toString(36)}`;
    const cleo = await h.newUser('Cleo Forced');
    await recordSockets(cleo.page);
    await cleo.page.goto(`${h.server.url}/d/${doc}?transport=http`);
    await waitForStatus(cleo.page, { connection: 'connected', save: 'saved' });
    expect(await cleo.page.getByTestId('connection-status').textContent()).toBe('Connected · HTTP fallback');
    await editor(cleo.page).click();
    await cleo.page.keyboard.type('Forced over HTTP.');
    await waitForStatus(cleo.page, { connection: 'connected', save: 'saved' });
    expect(await h.server.documentText(doc)).toBe('Forced over HTTP.');
    expect((await readRecord(cleo.page)).socketsOpened).toBe(0);
  });
});

describe('<tandem-editor transport="http"> with auth', () => {
  let auth: AuthE2EServer;

  beforeAll(async () => {
    auth = await startAuthE2EServer();
  });
  afterAll(async () => {
    await auth?.dispose();
  });

  it('connects over HTTP only and renews its 3-second tokens there, the session carrying on', async () => {
    const doc = `fallback-element-${Date.now().toString(36)}`;
    const context = await h.browser.newContext();
    try {
      const page = await context.newPage();
      await recordSockets(page);
      let endpointCalls = 0;
      await page.route('**/app/tandem-token', async (route) => {
        endpointCalls++;
        const token = await auth.mint({ sub: 'hal', name: 'Hal', docs: [`${doc}:write`], ttlSeconds: 3 });
        await route.fulfill({ contentType: 'text/plain', body: token });
      });
      await openLibraryPage(page, auth.url);
      await page.evaluate((doc) => {
        const element = document.createElement('tandem-editor');
        element.setAttribute('document', doc);
        element.setAttribute('token-endpoint', '/app/tandem-token');
        element.setAttribute('offline', 'false');
        element.setAttribute('transport', 'http');
        document.body.append(element);
      }, doc);
      await waitForStatus(page, { connection: 'connected', save: 'saved' });
      expect(await page.getByTestId('connection-status').textContent()).toBe('Connected · HTTP fallback');
      await editor(page).click();
      await page.keyboard.type('Via HTTP.');
      await waitForStatus(page, { save: 'saved' });
      expect(await auth.documentText(doc)).toBe('Via HTTP.');

      // Two renewals of a 3-second token, each a new HTTP session with the new token.
      await expect.poll(() => endpointCalls, { timeout: DEADLINE_MS }).toBeGreaterThanOrEqual(3);
      await waitForStatus(page, { connection: 'connected' });
      await page.keyboard.type(' Still here.');
      await waitForStatus(page, { connection: 'connected', save: 'saved' });
      expect(await auth.documentText(doc)).toBe('Via HTTP. Still here.');
      expect((await readRecord(page)).socketsOpened).toBe(0);
    } finally {
      await context.close();
    }
  });
});
