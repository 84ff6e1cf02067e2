/**
 * Persistence: formatted content written in the browser survives a server restart; it is checked
 * on the server before any browser reconnects (a live client would resend what the server
 * lacks and hide a loss) and then in a fresh browser with empty local storage.
 */
import { describe, expect, it } from 'vitest';
import { useHarness } from './support/harness.js';
import { DEADLINE_MS, editor, openDocument, waitForStatus, waitForText } from './support/editor-page.js';

const h = useHarness();

describe('persistence', () => {
  it('keeps the document across a server restart and a reload', async () => {
    const doc = `persist-${Date.now().toString(36)}`;
    const writer = await h.newUser('Grace Hopper', '#8e4ec6');
    await openDocument(writer.page, h.server.url, doc);
    const { page } = writer;

    await editor(page).click();
    await page.getByTestId('tool-heading-1').click();
    await page.keyboard.type('Launch plan');
    await page.keyboard.press('Enter');
    await page.keyboard.type('Ship on ');
    await page.keyboard.press('Control+b');
    await page.keyboard.type('Friday');
    await page.keyboard.press('Control+b');
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Bulleted list' }).click();
    await page.keyboard.type('Write the notes');
    await waitForStatus(page, { save: 'saved' });
    expect(await page.getByRole('button', { name: 'Bulleted list' }).getAttribute('aria-pressed')).toBe('true');

    await writer.context.close();
    await h.server.stop();
    await h.server.start();

    // StarterKit's trailing node keeps an empty paragraph after the list, so one can type below it.
    const expectedText = 'Launch plan\nShip on Friday\nWrite the notes\n';
    expect(await h.server.documentText(doc)).toBe(expectedText);
    const html = await (await fetch(`${h.server.url}/api/docs/${doc}?format=html`)).text();
    expect(html).toBe('<h1>Launch plan</h1><p>Ship on <strong>Friday</strong></p><ul><li><p>Write the notes</p></li></ul><p></p>');

    const reader = await h.newUser('Alan Turing', '#0090ff');
    await openDocument(reader.page, h.server.url, doc);
    await waitForText(reader.page, (text) => text === expectedText, 'the stored document in a fresh browser');
    await reader.page.getByRole('heading', { level: 1, name: 'Launch plan' }).waitFor({ timeout: DEADLINE_MS });
    expect(await editor(reader.page).locator('strong').textContent()).toBe('Friday');

    // The start page lists it.
    await reader.page.goto(h.server.url);
    await reader.page.getByTestId('document-link').filter({ hasText: doc }).waitFor({ timeout: DEADLINE_MS });
  });
});
