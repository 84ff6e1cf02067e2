/**
 * Liveness the user can trust: Chromium's offline emulation does not close an open WebSocket,
 * it silently holds its frames (the socket stays OPEN, `send` succeeds, nothing arrives). Before
 * the liveness watchdog the editor kept a green dot for ~30 s (y-websocket's own silence check);
 * now the unanswered edit (or heartbeat) closes the socket within seconds, the status says so,
 * and the `online` event brings the editor back at once, with the offline edits on the server.
 */
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { useHarness } from './support/harness.js';
import { editor, openDocument, placeCaretAtEnd, waitForStatus, waitForText } from './support/editor-page.js';
import { readRecord, recordSockets } from './support/library-page.js';

const h = useHarness();

/** Waits until the pill leaves "connected" for offline or reconnecting; returns the state seen. */
async function waitForLostConnection(page: Page, timeoutMs: number): Promise<string> {
  const handle = await page.waitForFunction(
    () => {
      const state = document.querySelector<HTMLElement>('[data-testid="status"]')?.dataset.connection;
      return state === 'offline' || state === 'reconnecting' ? state : false;
    },
    undefined,
    { timeout: timeoutMs },
  );
  return (await handle.jsonValue()) as string;
}

describe('liveness', () => {
  it('notices within 10 s that an open socket stopped answering after edits, and saves the offline edits within 10 s of the network coming back', async () => {
    const doc = `liveness-${Date.now().toString(36)}`;
    const ada = await h.newUser('Ada Lovelace');
    await recordSockets(ada.page);
    const warnings: string[] = [];
    ada.page.on('console', (message) => {
      if (message.type() === 'warning') warnings.push(message.text());
    });
    await openDocument(ada.page, h.server.url, doc);
    await editor(ada.page).click();
    await ada.page.keyboard.type('Typed online.');
    await waitForStatus(ada.page, { connection: 'connected', save: 'saved' });

    await ada.context.setOffline(true);
    await placeCaretAtEnd(ada.page);
    await ada.page.keyboard.press('Enter');
    await ada.page.keyboard.type('Typed offline.');
    const lostAt = Date.now();
    const state = await waitForLostConnection(ada.page, 10_000);
    const noticedMs = Date.now() - lostAt;
    // The browser never closed the frozen socket: the editor's watchdog did, then tried again.
    expect(warnings).toContain('tandem: the connection stopped answering; reconnecting');
    await expect.poll(async () => (await readRecord(ada.page)).socketsOpened, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);
    console.log(`liveness: "${state}" ${noticedMs} ms after typing offline`);
    await waitForStatus(ada.page, { connection: 'offline', save: 'unsaved' }, 10_000);
    expect(await ada.page.getByTestId('connection-status').textContent()).toBe('Offline — changes kept on this device');
    expect(await ada.page.getByTestId('save-status').textContent()).toBe('Unsaved changes');

    await ada.page.keyboard.type(' More offline.');
    await ada.context.setOffline(false);
    const backAt = Date.now();
    await waitForStatus(ada.page, { connection: 'connected', save: 'saved' }, 10_000);
    console.log(`liveness: saved ${Date.now() - backAt} ms after the network came back`);
    expect(await ada.page.getByTestId('save-status').textContent()).toBe('All changes saved');
    await waitForText(ada.page, (text) => text === 'Typed online.\nTyped offline. More offline.', 'the offline edits in the editor');
    expect(await h.server.documentText(doc)).toBe('Typed online.\nTyped offline. More offline.');
  });

  it('notices within 10 s that an idle connection went offline (the offline event sends a heartbeat nobody answers)', async () => {
    const doc = `liveness-idle-${Date.now().toString(36)}`;
    const bob = await h.newUser('Bob Hopper');
    await openDocument(bob.page, h.server.url, doc);
    await bob.context.setOffline(true);
    await waitForLostConnection(bob.page, 10_000);
    await bob.context.setOffline(false);
    await waitForStatus(bob.page, { connection: 'connected', save: 'saved' }, 10_000);
  });
});
