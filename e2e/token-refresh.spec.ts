/**
 * Sessions that outlive a token. The server (auth on) closes a connection with 4408 when its token
 * expires; createEditor's token function is called again shortly before that, and the editor
 * reconnects with the new token while the user keeps typing: nothing typed is lost and the status
 * never shows an error. A token function that fails, or a token the server refuses, ends in one
 * "No access" state and no reconnect loop.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser } from './support/browser.js';
import { startAuthE2EServer, type AuthE2EServer } from './support/auth-e2e-server.js';
import { editor, editorText, waitForStatus } from './support/editor-page.js';
import { openLibraryPage, readRecord, recordPill, recordSockets, type PageRecord } from './support/library-page.js';

/** How the page's token function behaves. */
type TokenMode = 'mint' | 'slow-renewal' | 'fail' | 'wrong-document';

describe('token function', () => {
  let browser: Browser;
  let auth: AuthE2EServer;
  let context: BrowserContext | null = null;

  beforeAll(async () => {
    auth = await startAuthE2EServer();
    browser = await launchBrowser();
  });
  afterEach(async () => {
    await context?.close();
    context = null;
  });
  afterAll(async () => {
    await browser?.close();
    await auth?.dispose();
  });

  /** A page that runs createEditor from the script-tag library with a token function. */
  async function openEditor(doc: string, mode: TokenMode, ttlSeconds = 4): Promise<Page> {
    context = await browser.newContext();
    const page = await context.newPage();
    await recordSockets(page);
    let calls = 0;
    await page.exposeFunction('mintTestToken', async () => {
      calls++;
      if (mode === 'slow-renewal' && calls > 1) {
        // Later than the refresh lead (10 % of 4 s): the server's 4408 comes first.
        await new Promise((resolve) => setTimeout(resolve, 1_500));
      }
      const docs = [mode === 'wrong-document' ? 'some-other-document:write' : `${doc}:write`];
      // A subject per document: the revocation test revokes only its own.
      return auth.mint({ sub: `ada-${doc}`, name: 'Ada', docs, ttlSeconds });
    });
    await openLibraryPage(page, auth.url);
    await page.evaluate(
      ({ doc, mode }) => {
        const lib = (window as unknown as { tandemLib: typeof import('../client/index.js') }).tandemLib;
        const record = (window as unknown as { tandemRecord: PageRecord }).tandemRecord;
        const mint = (window as unknown as { mintTestToken: () => Promise<string> }).mintTestToken;
        const host = document.createElement('div');
        document.body.append(host);
        lib.createEditor({
          element: host,
          serverUrl: location.origin,
          document: doc,
          user: { name: 'Ada', color: '#e5484d' },
          offline: false,
          token: async () => {
            record.tokenCalls++;
            if (mode === 'fail') throw new Error('the login service is down');
            return mint();
          },
          onStatus: (status) => record.statuses.push(`${status.connection}/${status.save}`),
        });
      },
      { doc, mode },
    );
    await recordPill(page);
    return page;
  }

  /** Types words for `durationMs`, returning exactly what was typed. */
  async function typeFor(page: Page, durationMs: number): Promise<string> {
    await editor(page).click();
    let typed = '';
    const until = Date.now() + durationMs;
    for (let word = 0; Date.now() < until; word++) {
      const text = `w${word} `;
      await page.keyboard.type(text, { delay: 15 });
      typed += text;
    }
    return typed;
  }

  function expectNoErrorShown(record: PageRecord): void {
    const errors = (states: string[]) => states.filter((state) => state.startsWith('offline') || state.startsWith('denied'));
    expect(errors(record.statuses), `statuses: ${record.statuses.join(' → ')}`).toEqual([]);
    expect(errors(record.pillStates), `pill: ${record.pillStates.join(' → ')}`).toEqual([]);
  }

  it('renews a 4-second token before it expires while the user types: every keystroke reaches the server, no error is shown', async () => {
    const doc = `renew-${Date.now().toString(36)}`;
    const page = await openEditor(doc, 'mint');
    await waitForStatus(page, { connection: 'connected', save: 'saved' });

    const typed = await typeFor(page, 9_000);
    await waitForStatus(page, { connection: 'connected', save: 'saved' });
    expect(await auth.documentText(doc)).toBe(typed);
    expect(await editorText(page)).toBe(typed);

    const record = await readRecord(page);
    // 9 s of 4-second tokens: the first and at least two renewals, each on a new connection.
    expect(record.tokenCalls).toBeGreaterThanOrEqual(3);
    expect(record.socketsOpened).toBeGreaterThanOrEqual(3);
    expect(record.socketsLive).toBe(1);
    // Renewed before expiry: the server never had to close a connection for an expired token.
    expect(record.closeCodes).not.toContain(4408);
    expectNoErrorShown(record);
  });

  it('answers the server’s 4408 close (the new token came too late) by reconnecting with the new token, losing nothing and showing no error', async () => {
    const doc = `expired-${Date.now().toString(36)}`;
    const page = await openEditor(doc, 'slow-renewal');
    await waitForStatus(page, { connection: 'connected', save: 'saved' });

    const typed = await typeFor(page, 7_000);
    await waitForStatus(page, { connection: 'connected', save: 'saved' });
    expect(await auth.documentText(doc)).toBe(typed);

    const record = await readRecord(page);
    expect(record.closeCodes).toContain(4408);
    expect(record.tokenCalls).toBeGreaterThanOrEqual(2);
    expectNoErrorShown(record);
  });

  it('shows one "No access" state when the token function fails, and opens no socket', async () => {
    const doc = `denied-${Date.now().toString(36)}`;
    const page = await openEditor(doc, 'fail');
    await waitForStatus(page, { connection: 'denied' });
    expect(await page.getByTestId('connection-status').textContent()).toBe('No access');
    // One clear message, announced once, and no typing into a document that cannot be saved.
    expect(await page.getByRole('alert').allTextContents()).toEqual(['You don’t have access to this document. Changes you make here are not saved.']);
    expect(await editor(page).getAttribute('contenteditable')).toBe('false');
    const atDenial = await readRecord(page);
    // Three tries (1 s, then 2 s apart), then it gives up: no loop. The window below is the
    // retry schedule twice over, in which a loop would have called again.
    expect(atDenial.tokenCalls).toBe(3);
    await page.waitForTimeout(4_000);
    const later = await readRecord(page);
    expect(later.tokenCalls).toBe(3);
    expect(later.socketsOpened).toBe(0);
    expect(later.statuses.filter((status) => status.startsWith('denied'))).toHaveLength(1);
    expect(later.pillStates.filter((state) => state === 'denied')).toHaveLength(1);
  });

  it('shows one "No access" state when the server refuses the token (403 before the upgrade) and stops reconnecting', async () => {
    const doc = `forbidden-${Date.now().toString(36)}`;
    const page = await openEditor(doc, 'wrong-document', 600);
    await waitForStatus(page, { connection: 'denied' });
    const atDenial = await readRecord(page);
    expect(atDenial.socketsOpened).toBeGreaterThanOrEqual(1);
    // The editor's reconnect backoff (liveness/reconnect-backoff.ts) waits 0.2 s, then 0.4, 0.8,
    // 1.6 s (each jittered, at most that): a reconnect loop would open several sockets in 4 s.
    await page.waitForTimeout(4_000);
    const later = await readRecord(page);
    expect(later.socketsOpened).toBe(atDenial.socketsOpened);
    expect(later.socketsOpened).toBeLessThanOrEqual(3);
    expect(later.socketsLive).toBe(0);
    expect(later.statuses.filter((status) => status.startsWith('denied'))).toHaveLength(1);
    expect(await page.getByTestId('connection-status').textContent()).toBe('No access');
  });

  it('shows one "No access" state when the token is revoked mid-session (4409) and asks for no new token', async () => {
    const doc = `revoked-${Date.now().toString(36)}`;
    const page = await openEditor(doc, 'mint', 600);
    await waitForStatus(page, { connection: 'connected', save: 'saved' });
    const admin = await auth.mint({ sub: 'e2e-admin', docs: [], ttlSeconds: 60, admin: true });
    const revoked = await fetch(`${auth.url}/api/admin/revoke`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ sub: `ada-${doc}` }),
    });
    expect(revoked.status).toBeLessThan(300);
    await waitForStatus(page, { connection: 'denied' });
    const atDenial = await readRecord(page);
    expect(atDenial.closeCodes).toEqual([4409]);
    expect(atDenial.tokenCalls).toBe(1);
    expect(atDenial.socketsLive).toBe(0);
    expect(await page.evaluate(() => document.querySelector<HTMLElement>('[data-testid="status"]')?.title)).toContain('No access');
  });
}, 120_000);
