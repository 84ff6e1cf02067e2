/**
 * What an embedding app can set: replacement UI strings, a placeholder, a read-only toggle
 * (setReadOnly) that really stops typing, theming through CSS custom properties set on an
 * ancestor, and the saved-state and presence callbacks.
 */
import { describe, expect, it } from 'vitest';
import { useHarness } from './support/harness.js';
import { DEADLINE_MS, editor, editorText, waitForStatus } from './support/editor-page.js';
import { openLibraryPage } from './support/library-page.js';

const h = useHarness();

interface OptionsWindow {
  tandemLib: typeof import('../client/index.js');
  tandem: ReturnType<typeof import('../client/index.js').createEditor>;
  saveStates: string[];
  presenceCounts: number[];
}

describe('editor options', () => {
  it('uses the app’s strings and placeholder, toggles read-only, takes its theme from the page and reports saves and presence', async () => {
    const doc = `options-${Date.now().toString(36)}`;
    const { page } = await h.newUser('Option Olga');
    await openLibraryPage(page, h.server.url);
    await page.evaluate((doc) => {
      const w = window as unknown as OptionsWindow;
      // Theme from the page root, as an app would set it.
      document.documentElement.style.setProperty('--tandem-surface', 'rgb(10, 20, 30)');
      document.documentElement.style.setProperty('--tandem-accent', 'rgb(200, 100, 50)');
      w.saveStates = [];
      w.presenceCounts = [];
      const host = document.createElement('div');
      document.body.append(host);
      w.tandem = w.tandemLib.createEditor({
        element: host,
        serverUrl: location.origin,
        document: doc,
        user: { name: 'Option Olga' },
        placeholder: 'Schreib etwas …',
        strings: { connected: 'Verbunden', saved: 'Alles gespeichert', unsaved: 'Nicht gespeichert', viewOnly: 'Nur lesen', bold: 'Fett', presenceOne: 'Eine Person hier' },
        onSaveState: (state) => w.saveStates.push(state),
        onPresence: (people) => w.presenceCounts.push(people.length),
      });
    }, doc);
    await waitForStatus(page, { connection: 'connected', save: 'saved' });

    // Strings and placeholder.
    expect(await page.getByTestId('connection-status').textContent()).toBe('Verbunden');
    expect(await page.getByTestId('save-status').textContent()).toBe('Alles gespeichert');
    await page.getByRole('button', { name: 'Fett' }).waitFor({ timeout: DEADLINE_MS });
    expect(await page.getByTestId('presence-list').getAttribute('aria-label')).toBe('Eine Person hier');
    expect(await editor(page).locator('p').first().getAttribute('data-placeholder')).toBe('Schreib etwas …');

    // Theme: the page's custom properties reach the editor.
    expect(await page.evaluate(() => getComputedStyle(document.querySelector('.tandem-frame')!).backgroundColor)).toBe('rgb(10, 20, 30)');
    await page.getByRole('button', { name: 'Fett' }).focus();
    expect(await page.getByRole('button', { name: 'Fett' }).evaluate((button) => getComputedStyle(button).outlineColor)).toBe('rgb(200, 100, 50)');

    // Typing, then saved: the save callback saw both states.
    await editor(page).click();
    await page.keyboard.type('Editable text.');
    await waitForStatus(page, { save: 'saved' });
    expect(await h.server.documentText(doc)).toBe('Editable text.');
    const states = await page.evaluate(() => (window as unknown as OptionsWindow).saveStates);
    expect(states).toContain('unsaved');
    expect(states.at(-1)).toBe('saved');

    // Read-only: not editable, toolbar disabled, keystrokes change nothing.
    await page.evaluate(() => (window as unknown as OptionsWindow).tandem.setReadOnly(true));
    await expect.poll(() => editor(page).getAttribute('contenteditable'), { timeout: DEADLINE_MS }).toBe('false');
    expect(await page.getByTestId('save-status').textContent()).toBe('Nur lesen');
    expect(await page.getByRole('button', { name: 'Fett' }).isDisabled()).toBe(true);
    await editor(page).click();
    await page.keyboard.type(' Ignored.');
    expect(await editorText(page)).toBe('Editable text.');

    // And back.
    await page.evaluate(() => (window as unknown as OptionsWindow).tandem.setReadOnly(false));
    await expect.poll(() => editor(page).getAttribute('contenteditable'), { timeout: DEADLINE_MS }).toBe('true');
    await editor(page).click();
    await page.keyboard.press('Control+End');
    await page.keyboard.type(' More.');
    await waitForStatus(page, { save: 'saved' });
    expect(await h.server.documentText(doc)).toBe('Editable text. More.');

    // Presence callback: one person (this editor).
    expect(await page.evaluate(() => (window as unknown as OptionsWindow).presenceCounts.at(-1))).toBe(1);
  });
});
