/**
 * The version history panel in Chromium, with auth on: a writer names a version, another writer
 * changes the document, the first previews the version (changes marked), restores it with a
 * confirmation, everyone gets the restored content, and the restorer's undo brings the
 * pre-restore content back for everyone. A reader browses and previews without Name or Restore;
 * `history: false` (option or attribute) shows no history button.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser } from './support/browser.js';
import { startAuthE2EServer, type AuthE2EServer } from './support/auth-e2e-server.js';
import { DEADLINE_MS, editor, placeCaretAfter, waitForStatus, waitForText } from './support/editor-page.js';
import { openLibraryPage } from './support/library-page.js';

const FIRST = 'The quick brown fox jumps over the lazy dog.';
const CHANGED = `${FIRST} Indeed\nAdded by Bea.`;

describe('version history panel', () => {
  let server: AuthE2EServer;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    server = await startAuthE2EServer();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await Promise.all(contexts.map((context) => context.close()));
    await browser?.close();
    await server?.dispose();
  });

  async function openAs(doc: string, sub: string, name: string, access: 'read' | 'write'): Promise<Page> {
    const token = await server.mint({ sub, name, docs: [`${doc}:${access}`], ttlSeconds: 600 });
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    contexts.push(context);
    await context.addInitScript((user) => localStorage.setItem('tandem:user', JSON.stringify(user)), { name, color: '#3e63dd', id: sub });
    const page = await context.newPage();
    await page.goto(`${server.url}/d/${doc}?token=${token}`);
    await waitForStatus(page, { connection: 'connected', ...(access === 'write' ? { save: 'saved' } : {}) });
    return page;
  }

  async function nameVersion(page: Page, name: string): Promise<void> {
    await page.getByTestId('history-name').click();
    await page.getByTestId('history-name-input').fill(name);
    await page.getByTestId('history-name-save').click();
    await page.getByTestId('history-message').filter({ hasText: `Saved as “${name}”` }).waitFor({ timeout: DEADLINE_MS });
  }

  it('names a version, previews it with the other writer’s changes marked, restores it for both browsers, and undo brings the pre-restore content back for both', async () => {
    const doc = `history-${Date.now().toString(36)}`;
    const ada = await openAs(doc, 'ada', 'Ada', 'write');
    const bea = await openAs(doc, 'bea', 'Bea', 'write');
    await editor(ada).click();
    await ada.keyboard.type(FIRST);
    await waitForText(bea, (text) => text === FIRST, 'Ada’s text at Bea');
    await waitForStatus(ada, { save: 'saved' });

    await ada.getByTestId('history-button').click();
    expect(await ada.getByTestId('history-button').getAttribute('aria-expanded')).toBe('true');
    await nameVersion(ada, 'Draft one');
    const named = ada.getByTestId('history-version').filter({ hasText: 'Draft one' });
    await named.waitFor({ timeout: DEADLINE_MS });
    expect(await named.textContent()).toContain('Edited by Ada');

    // Bea changes the first paragraph and adds a second one.
    await placeCaretAfter(bea, 'lazy dog');
    await bea.keyboard.type(' Indeed');
    await bea.keyboard.press('Enter');
    await bea.keyboard.type('Added by Bea.');
    await waitForText(ada, (text) => text === CHANGED, 'Bea’s changes at Ada');
    await waitForStatus(bea, { save: 'saved' });

    // The preview of the named version, compared with the current document.
    await named.click();
    const content = ada.getByTestId('history-preview-content');
    await content.locator('.tandem-diff-removed', { hasText: 'Added by Bea.' }).waitFor({ timeout: DEADLINE_MS });
    expect((await content.locator('.tandem-diff-del').allTextContents()).join('')).toContain('Indeed');
    // The changed paragraph reads as the version's once the struck-through words are left out.
    const changed = content.locator('.tandem-diff-changed').first();
    expect(await changed.evaluate((block) => Array.from(block.childNodes, (node) => (node.nodeName === 'DEL' ? '' : node.textContent)).join(''))).toBe(FIRST);
    if (process.env.TANDEM_E2E_SHOTS) await ada.screenshot({ path: process.env.TANDEM_E2E_SHOTS });

    // Restore, confirmed.
    await ada.getByTestId('history-restore').click();
    const dialog = ada.getByTestId('history-confirm');
    await dialog.waitFor({ state: 'visible', timeout: DEADLINE_MS });
    expect(await dialog.textContent()).toContain('Restore the version of');
    await ada.getByTestId('history-confirm-restore').click();
    await ada.getByTestId('history-message').filter({ hasText: 'Version restored' }).waitFor({ timeout: DEADLINE_MS });
    await waitForText(ada, (text) => text === FIRST, 'the restored content at Ada');
    await waitForText(bea, (text) => text === FIRST, 'the restored content at Bea');
    expect(await server.documentText(doc)).toBe(FIRST);
    // Recorded on the server: a pre-restore version and a restore version, listed in the panel.
    await ada.getByTestId('history-version').filter({ hasText: `Restored version` }).waitFor({ timeout: DEADLINE_MS });
    await ada.getByTestId('history-version').filter({ hasText: 'Before a restore' }).waitFor({ timeout: DEADLINE_MS });
    // The restore version was taken after the editor's edit reached the server, the pre-restore one before.
    const reader = { authorization: `Bearer ${await server.mint({ sub: 'check', docs: [`${doc}:read`], ttlSeconds: 60 })}` };
    const { versions } = (await (await fetch(`${server.url}/api/docs/${doc}/versions`, { headers: reader })).json()) as { versions: Array<{ id: number; kind: string; editors: Array<{ name: string | null }> }> };
    const versionText = async (kind: string): Promise<string> =>
      (await fetch(`${server.url}/api/docs/${doc}/versions/${versions.find((v) => v.kind === kind)!.id}?format=text`, { headers: reader })).text();
    // (An automatic version may be cut if the test ran past the 30 s quiet period.)
    expect(versions.map((v) => v.kind).filter((kind) => kind !== 'auto')).toEqual(['restore', 'pre-restore', 'named']);
    expect(await versionText('restore')).toBe(FIRST);
    expect(await versionText('pre-restore')).toBe(CHANGED);
    expect(versions[0]!.editors.map((e) => e.name)).toContain('Ada');

    // Undo in the restoring browser: the restore was its own edit.
    await ada.getByTestId('tool-undo').click();
    await waitForText(ada, (text) => text === CHANGED, 'the pre-restore content at Ada after undo');
    await waitForText(bea, (text) => text === CHANGED, 'the pre-restore content at Bea after undo');
    await waitForStatus(ada, { save: 'saved' });
    expect(await server.documentText(doc)).toBe(CHANGED);
  });

  it('lets a reader browse and preview versions, without Name or Restore', async () => {
    const doc = `history-read-${Date.now().toString(36)}`;
    const ada = await openAs(doc, 'ada', 'Ada', 'write');
    await editor(ada).click();
    await ada.keyboard.type('Only words.');
    await waitForStatus(ada, { save: 'saved' });
    await ada.getByTestId('history-button').click();
    await nameVersion(ada, 'For readers');

    const rita = await openAs(doc, 'rita', 'Rita', 'read');
    await rita.getByTestId('history-button').click();
    const entry = rita.getByTestId('history-version').filter({ hasText: 'For readers' });
    await entry.waitFor({ timeout: DEADLINE_MS });
    await entry.click();
    await rita.getByTestId('history-preview-content').filter({ hasText: 'Only words.' }).waitFor({ timeout: DEADLINE_MS });
    expect(await rita.getByTestId('history-name').isVisible()).toBe(false);
    expect(await rita.getByTestId('history-restore').isVisible()).toBe(false);
    // The writer sees both.
    expect(await ada.getByTestId('history-name').isVisible()).toBe(true);
  });

  it('shows the history button labelled from strings by default, and none with history: false or history="false" on <tandem-editor>', async () => {
    const doc = `history-off-${Date.now().toString(36)}`;
    const token = await server.mint({ sub: 'olga', name: 'Olga', docs: [`${doc}:write`], ttlSeconds: 600 });
    const context = await browser.newContext();
    contexts.push(context);
    const page = await context.newPage();
    await openLibraryPage(page, server.url);
    await page.evaluate(
      ({ doc, token }) => {
        const lib = (window as unknown as { tandemLib: typeof import('../client/index.js') }).tandemLib;
        const withHistory = document.createElement('div');
        withHistory.id = 'with-history';
        const without = document.createElement('div');
        without.id = 'without-history';
        const element = document.createElement('tandem-editor');
        element.id = 'element-without-history';
        for (const [name, value] of Object.entries({ document: doc, token, history: 'false', offline: 'false' })) element.setAttribute(name, value);
        document.body.append(withHistory, without, element);
        lib.createEditor({ element: withHistory, serverUrl: location.origin, document: doc, token, offline: false, user: { name: 'Olga' }, strings: { history: 'Versionen' } });
        lib.createEditor({ element: without, serverUrl: location.origin, document: doc, token, offline: false, user: { name: 'Olga' }, history: false });
      },
      { doc, token },
    );
    await page.locator('#with-history [data-testid="history-button"]').waitFor({ timeout: DEADLINE_MS });
    // Its label comes from the strings option, like every other text.
    expect(await page.locator('#with-history [data-testid="history-button"]').getAttribute('aria-label')).toBe('Versionen');
    await page.locator('#element-without-history [data-testid="status"]').waitFor({ timeout: DEADLINE_MS });
    expect(await page.locator('#without-history [data-testid="status"]').count()).toBe(1);
    expect(await page.locator('#without-history [data-testid="history-button"]').count()).toBe(0);
    expect(await page.locator('#element-without-history [data-testid="history-button"]').count()).toBe(0);
  });
});
