/**
 * Offline, then resync: the server goes away while both people keep editing; one of them reloads
 * while it is still away and keeps their edits (service worker shell + IndexedDB); the server
 * comes back on the same port; every edit from both sides ends up in both browsers and on the
 * server, and the status goes from offline to saved.
 */
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { useHarness } from './support/harness.js';
import { DEADLINE_MS, editor, openDocument, placeCaretAtEnd, waitForStatus, waitForText } from './support/editor-page.js';

const h = useHarness();

async function typeNewParagraph(page: Page, text: string): Promise<void> {
  await placeCaretAtEnd(page);
  await page.keyboard.press('Enter');
  await page.keyboard.type(text);
}

describe('offline editing', () => {
  it('keeps edits across an offline reload and merges everything when the server returns', async () => {
    const doc = `offline-${Date.now().toString(36)}`;
    const ada = await h.newUser('Ada Lovelace', '#e5484d');
    const bob = await h.newUser('Bob Hopper', '#30a46c');
    await openDocument(ada.page, h.server.url, doc);
    await openDocument(bob.page, h.server.url, doc);
    // The app shell must be cached before the server disappears, or nothing could reload.
    await ada.page.evaluate(async () => {
      await navigator.serviceWorker.ready;
    });

    await editor(ada.page).click();
    await ada.page.keyboard.type('Shared start.');
    await waitForText(bob.page, (text) => text === 'Shared start.', 'the shared start at Bob');
    await waitForStatus(ada.page, { save: 'saved' });

    await h.server.stop();
    await waitForStatus(ada.page, { connection: 'offline' });
    await waitForStatus(bob.page, { connection: 'offline' });

    await typeNewParagraph(ada.page, 'Ada wrote this offline.');
    await typeNewParagraph(bob.page, 'Bob wrote this offline.');
    await waitForStatus(ada.page, { connection: 'offline', save: 'unsaved' });
    await waitForStatus(bob.page, { connection: 'offline', save: 'unsaved' });
    expect(await ada.page.getByTestId('connection-status').textContent()).toBe('Offline — changes kept on this device');
    expect(await ada.page.getByTestId('save-status').textContent()).toBe('Unsaved changes');

    // Reload while the server is still down: the page comes from the service worker, the
    // document from IndexedDB, and it still knows these edits are not saved.
    await ada.page.reload();
    await waitForText(ada.page, (text) => text === 'Shared start.\nAda wrote this offline.', 'Ada’s offline edit after an offline reload');
    await waitForStatus(ada.page, { connection: 'offline', save: 'unsaved' });

    await typeNewParagraph(bob.page, 'Bob kept going.');
    await h.server.start();

    const expected = (text: string): boolean => {
      const lines = text.split('\n');
      return (
        lines.length === 4 &&
        lines[0] === 'Shared start.' &&
        ['Ada wrote this offline.', 'Bob wrote this offline.', 'Bob kept going.'].every((line) => lines.includes(line)) &&
        lines.indexOf('Bob wrote this offline.') < lines.indexOf('Bob kept going.')
      );
    };
    const adaText = await waitForText(ada.page, expected, 'all edits at Ada after the server returned', 30_000);
    await waitForText(bob.page, (text) => text === adaText, 'Bob to match Ada', DEADLINE_MS);
    await waitForStatus(ada.page, { connection: 'connected', save: 'saved' }, 30_000);
    await waitForStatus(bob.page, { connection: 'connected', save: 'saved' }, 30_000);
    expect(await ada.page.getByTestId('save-status').textContent()).toBe('All changes saved');

    // "Saved" must mean stored: the server renders all of it.
    expect(await h.server.documentText(doc)).toBe(adaText);
  });
});
