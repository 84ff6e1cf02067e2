/**
 * A read-only user (token granting `read` on the document) sees another user's edits live and
 * cannot type: the editor is not editable, keystrokes change nothing locally, at the writer or on
 * the server. The server runs with auth (TANDEM_AUTH_SECRET); tokens are minted for the test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startAuthE2EServer, type AuthE2EServer } from './support/auth-e2e-server.js';
import { launchBrowser } from './support/browser.js';
import { DEADLINE_MS, editor, editorText, waitForStatus, waitForText } from './support/editor-page.js';


describe('read-only user', () => {
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

  it('sees live edits and cannot type', async () => {
    const doc = `readonly-${Date.now().toString(36)}`;
    const writeToken = await server.mint({ sub: 'ada', name: 'Ada', docs: [`${doc}:write`], ttlSeconds: 600 });
    const readToken = await server.mint({ sub: 'rita', name: 'Rita', docs: [`${doc}:read`], ttlSeconds: 600 });
    const writerContext = await browser.newContext();
    const readerContext = await browser.newContext();
    try {
      const writer = await writerContext.newPage();
      const reader = await readerContext.newPage();
      await writer.goto(`${server.url}/d/${doc}?token=${writeToken}`);
      await reader.goto(`${server.url}/d/${doc}?token=${readToken}`);
      await waitForStatus(writer, { connection: 'connected', save: 'saved' });
      await waitForStatus(reader, { connection: 'connected' });

      await expect.poll(() => editor(reader).getAttribute('contenteditable'), { timeout: DEADLINE_MS }).toBe('false');
      expect(await editor(writer).getAttribute('contenteditable')).toBe('true');
      await reader.getByTestId('save-status').filter({ hasText: 'View only' }).waitFor({ timeout: DEADLINE_MS });

      await editor(writer).click();
      await writer.keyboard.type('Written by Ada.');
      await waitForText(reader, (text) => text === 'Written by Ada.', 'the writer’s text live at the reader');
      await writer.keyboard.type(' More.');
      await waitForText(reader, (text) => text === 'Written by Ada. More.', 'a second live edit');

      // The reader tries to type: nothing changes anywhere.
      await editor(reader).click();
      await reader.keyboard.type('Rita was here');
      await reader.keyboard.press('Enter');
      await writer.keyboard.type(' Last.');
      await waitForText(reader, (text) => text === 'Written by Ada. More. Last.', 'the writer’s last edit at the reader');
      expect(await editorText(writer)).toBe('Written by Ada. More. Last.');
      await waitForStatus(writer, { connection: 'connected', save: 'saved' });
      const stored = await fetch(`${server.url}/api/docs/${doc}?format=text`, { headers: { authorization: `Bearer ${readToken}` } });
      expect(await stored.text()).toBe('Written by Ada. More. Last.');
      // The reader stayed connected: its handshake was not counted as a write attempt.
      expect(await reader.getByTestId('status').getAttribute('data-connection')).toBe('connected');
    } finally {
      await writerContext.close();
      await readerContext.close();
    }
  });
});
