/**
 * Embedding: the example host page (/examples/embed.html, the library build's
 * <tandem-editor>) and the main app edit the same document live, and see each other.
 */
import { describe, expect, it } from 'vitest';
import { useHarness } from './support/harness.js';
import { DEADLINE_MS, editor, openDocument, placeCaretAtEnd, waitForStatus, waitForText } from './support/editor-page.js';

const h = useHarness();

describe('embedded editor', () => {
  it('syncs the example host page with the main app', async () => {
    const doc = `embed-${Date.now().toString(36)}`;
    const host = await h.newUser('Host Page User', '#f76b15');
    const app = await h.newUser('App User', '#12a594');

    await host.page.goto(`${h.server.url}/examples/embed.html?doc=${doc}&name=Embedded%20Eve`);
    // It really is the host page, with the editor inside it.
    await host.page.getByRole('heading', { name: 'Release notes' }).waitFor({ timeout: DEADLINE_MS });
    await waitForStatus(host.page, { connection: 'connected', save: 'saved' });
    await openDocument(app.page, h.server.url, doc);

    await editor(host.page).click();
    await host.page.keyboard.type('Written in the embedded editor.');
    await waitForText(app.page, (text) => text === 'Written in the embedded editor.', 'the embedded edit in the app');

    await placeCaretAtEnd(app.page);
    await app.page.keyboard.press('Enter');
    await app.page.keyboard.type('Answered from the app.');
    await waitForText(host.page, (text) => text === 'Written in the embedded editor.\nAnswered from the app.', 'the app edit in the host page');

    await app.page.getByTestId('remote-caret-label').filter({ hasText: 'Embedded Eve' }).waitFor({ timeout: DEADLINE_MS });
    await host.page.getByTestId('remote-caret-label').filter({ hasText: 'App User' }).waitFor({ timeout: DEADLINE_MS });
    await waitForStatus(host.page, { save: 'saved' });
    await waitForStatus(app.page, { save: 'saved' });
    expect(await h.server.documentText(doc)).toBe('Written in the embedded editor.\nAnswered from the app.');

    // Removing the element destroys the editor: the app sees the embedded user leave at once.
    expect(await app.page.getByTestId('presence-name').allTextContents()).toEqual(['App User (you)', 'Embedded Eve']);
    await host.page.evaluate(() => document.querySelector('tandem-editor')?.remove());
    await app.page.waitForFunction(() => document.querySelectorAll('[data-testid="presence-user"]').length === 1, null, { timeout: DEADLINE_MS });
    await app.page.getByTestId('remote-caret').waitFor({ state: 'detached', timeout: DEADLINE_MS });
    expect(await host.page.getByTestId('editor').count()).toBe(0);
  });
});
