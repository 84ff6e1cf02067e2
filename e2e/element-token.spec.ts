/**
 * `<tandem-editor token-endpoint="…">`: the element fetches its token from the app's endpoint
 * (JSON `{ token }` here, as text elsewhere), connects with it, and asks again before it expires;
 * the `read-only` attribute toggles typing without reconnecting; status changes arrive as
 * `tandem-status` events.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser } from './support/browser.js';
import { startAuthE2EServer, type AuthE2EServer } from './support/auth-e2e-server.js';
import { DEADLINE_MS, editor, waitForStatus } from './support/editor-page.js';
import { openLibraryPage, readRecord, recordSockets } from './support/library-page.js';

describe('<tandem-editor> with a token endpoint', () => {
  let browser: Browser;
  let auth: AuthE2EServer;

  beforeAll(async () => {
    auth = await startAuthE2EServer();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await auth?.dispose();
  });

  it('gets its token from the endpoint (JSON and text), renews it, and toggles read-only by attribute', async () => {
    const doc = `element-${Date.now().toString(36)}`;
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await recordSockets(page);
      let endpointCalls = 0;
      // The app's token endpoint, on the page's origin: JSON first, plain text afterwards.
      await page.route('**/app/tandem-token', async (route) => {
        endpointCalls++;
        const token = await auth.mint({ sub: 'eve', name: 'Eve', docs: [`${doc}:write`], ttlSeconds: 3 });
        await route.fulfill(endpointCalls === 1 ? { contentType: 'application/json', body: JSON.stringify({ token }) } : { contentType: 'text/plain', body: `${token}\n` });
      });
      await openLibraryPage(page, auth.url);
      await page.evaluate((doc) => {
        const events: string[] = [];
        (window as unknown as { statusEvents: string[] }).statusEvents = events;
        const element = document.createElement('tandem-editor');
        element.setAttribute('document', doc);
        element.setAttribute('token-endpoint', '/app/tandem-token');
        element.setAttribute('offline', 'false');
        element.addEventListener('tandem-status', (event) => events.push((event as CustomEvent<{ connection: string }>).detail.connection));
        document.body.append(element);
      }, doc);
      await waitForStatus(page, { connection: 'connected', save: 'saved' });
      await editor(page).click();
      await page.keyboard.type('Via the endpoint.');
      await waitForStatus(page, { save: 'saved' });
      expect(await auth.documentText(doc)).toBe('Via the endpoint.');

      // A 3-second token: asked again (now as text), and the session carries on.
      await expect.poll(() => endpointCalls, { timeout: DEADLINE_MS }).toBeGreaterThanOrEqual(3);
      await waitForStatus(page, { connection: 'connected' });
      await page.keyboard.type(' Still here.');
      await waitForStatus(page, { connection: 'connected', save: 'saved' });
      expect(await auth.documentText(doc)).toBe('Via the endpoint. Still here.');
      const events = await page.evaluate(() => (window as unknown as { statusEvents: string[] }).statusEvents);
      expect(events).toContain('connected');
      expect(events.filter((state) => state === 'offline' || state === 'denied')).toEqual([]);

      // read-only attribute: typing off and on, on the same connection.
      const socketsBefore = (await readRecord(page)).socketsOpened;
      await page.evaluate(() => document.querySelector('tandem-editor')!.setAttribute('read-only', ''));
      await expect.poll(() => editor(page).getAttribute('contenteditable'), { timeout: DEADLINE_MS }).toBe('false');
      await page.evaluate(() => document.querySelector('tandem-editor')!.removeAttribute('read-only'));
      await expect.poll(() => editor(page).getAttribute('contenteditable'), { timeout: DEADLINE_MS }).toBe('true');
      expect((await readRecord(page)).socketsOpened - socketsBefore).toBeLessThanOrEqual(1);
    } finally {
      await context.close();
    }
  });
});
