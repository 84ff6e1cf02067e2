/**
 * The admin page at /admin against a server with auth: a non-admin token is refused and not kept;
 * an admin token shows the document another browser is editing, with its user; "Close" resets
 * that connection (4205: the editor goes offline and reconnects by itself); revoking the subject
 * closes it for good (4409: the editor says "No access"); revoking the admin's own subject signs
 * the page out. The admin token never appears in a URL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startAuthE2EServer, type AuthE2EServer } from './support/auth-e2e-server.js';
import { launchBrowser } from './support/browser.js';
import { DEADLINE_MS, editor, waitForStatus } from './support/editor-page.js';


/** Records every connection state the editor's status pill shows from now on (transient ones too). */
async function recordConnectionStates(page: Page): Promise<void> {
  await page.evaluate(() => {
    const pill = document.querySelector<HTMLElement>('[data-testid="status"]')!;
    const seen: string[] = [pill.dataset.connection ?? ''];
    (window as unknown as { connectionStates: string[] }).connectionStates = seen;
    new MutationObserver(() => {
      const state = pill.dataset.connection ?? '';
      if (seen.at(-1) !== state) seen.push(state);
    }).observe(pill, { attributes: true, attributeFilter: ['data-connection'] });
  });
}

function connectionStates(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { connectionStates: string[] }).connectionStates);
}

async function signIn(page: Page, baseUrl: string, token: string): Promise<void> {
  await page.goto(`${baseUrl}/admin`);
  await page.getByLabel('Admin token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

describe('admin page', () => {
  let browser: Browser;
  let server: AuthE2EServer;

  beforeAll(async () => {
    server = await startAuthE2EServer();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.dispose();
  });

  it('refuses a token without the admin claim as "not an admin token" and does not keep it', async () => {
    const writer = await server.mint({ sub: 'ada', docs: ['*:write'], ttlSeconds: 600 });
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await signIn(page, server.url, writer);
      await expect.poll(() => page.getByTestId('admin-signin-error').textContent(), { timeout: DEADLINE_MS }).toMatch(/^Not an admin token: the server answered 403/);
      expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
      expect(page.url()).toBe(`${server.url}/admin`);
    } finally {
      await context.close();
    }
  });

  it('shows a document another browser edits with its user, closes that connection (it reconnects) and revokes the subject (refused)', async () => {
    const doc = `admin-${Date.now().toString(36)}`;
    const adaToken = await server.mint({ sub: 'ada', name: 'Ada Lovelace', docs: [`${doc}:write`], ttlSeconds: 600 });
    const adminToken = await server.mint({ sub: 'ops', docs: [], admin: true, ttlSeconds: 600 });
    const adaContext = await browser.newContext();
    const adminContext = await browser.newContext();
    try {
      const ada = await adaContext.newPage();
      await ada.goto(`${server.url}/d/${doc}?token=${adaToken}`);
      await waitForStatus(ada, { connection: 'connected', save: 'saved' });
      await editor(ada).click();
      await ada.keyboard.type('Before the close.');
      await waitForStatus(ada, { connection: 'connected', save: 'saved' });

      const admin = await adminContext.newPage();
      await signIn(admin, server.url, adminToken);
      const adaRow = admin.locator(`[data-testid="admin-document"][data-doc="${doc}"] [data-testid="admin-connection"][data-sub="ada"]`);
      await adaRow.waitFor({ timeout: DEADLINE_MS });
      expect(await adaRow.getByTestId('admin-connection-user').textContent()).toBe('Ada Lovelace');
      expect(await adaRow.getByText('Can edit').count()).toBe(1);
      // The token lives in this tab's sessionStorage, never in the address.
      expect(admin.url()).toBe(`${server.url}/admin`);
      expect(await admin.evaluate(() => sessionStorage.getItem('tandem:admin-token'))).toBe(adminToken);
      expect(Number(await admin.getByTestId('stat-connections').textContent())).toBeGreaterThanOrEqual(1);
      expect(Number(await admin.getByTestId('stat-stored').textContent())).toBeGreaterThanOrEqual(1);

      // Close: 4205 is a reset, so Ada's editor says "Reconnecting…" and reconnects by itself.
      const closedId = (await adaRow.getAttribute('data-conn-id'))!;
      await recordConnectionStates(ada);
      await adaRow.getByRole('button', { name: `Close connection ${closedId} of Ada Lovelace` }).click();
      await expect.poll(() => admin.getByTestId('admin-notice').textContent(), { timeout: DEADLINE_MS }).toContain(`Closed connection ${closedId}.`);
      await expect.poll(() => connectionStates(ada), { timeout: DEADLINE_MS }).toEqual(['connected', 'reconnecting', 'connected']);
      await admin
        .locator(`[data-testid="admin-document"][data-doc="${doc}"] [data-testid="admin-connection"][data-sub="ada"]:not([data-conn-id="${closedId}"])`)
        .waitFor({ timeout: DEADLINE_MS });
      await ada.keyboard.type(' After.');
      await waitForStatus(ada, { connection: 'connected', save: 'saved' });

      // Revoke: 4409 ends Ada's session for good, and her row goes.
      await admin.getByLabel('Subject (token sub)').fill('ada');
      await admin.getByRole('button', { name: 'Revoke' }).click();
      await expect.poll(() => admin.getByTestId('revoke-result').textContent(), { timeout: DEADLINE_MS }).toMatch(/^Revoked tokens of subject “ada” on every document .*; 1 connection closed\.$/);
      await waitForStatus(ada, { connection: 'denied' });
      expect(await ada.getByTestId('connection-status').textContent()).toBe('No access');
      await admin.locator(`[data-testid="admin-connection"][data-sub="ada"]`).waitFor({ state: 'detached', timeout: DEADLINE_MS });
      const reader = await server.mint({ sub: 'checker', docs: [`${doc}:read`], ttlSeconds: 600 });
      const stored = await fetch(`${server.url}/api/docs/${doc}?format=text`, { headers: { authorization: `Bearer ${reader}` } });
      expect(await stored.text()).toBe('Before the close. After.');

      // Revoking the admin's own subject: the next refresh is refused, the page signs out and forgets the token.
      await admin.getByLabel('Subject (token sub)').fill('ops');
      await admin.getByRole('button', { name: 'Revoke' }).click();
      await expect.poll(() => admin.getByTestId('admin-signin-error').textContent(), { timeout: DEADLINE_MS }).toMatch(/^Not an admin token: the server answered 401/);
      expect(await admin.evaluate(() => sessionStorage.getItem('tandem:admin-token'))).toBeNull();
    } finally {
      await adaContext.close();
      await adminContext.close();
    }
  });
});
