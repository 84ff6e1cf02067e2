/**
 * Two people in one document: concurrent typing in the same paragraph and in different ones
 * converges to identical content in both browsers, after a reload, and on the server; each sees
 * the other's caret labelled with the right name.
 */
import { describe, expect, it } from 'vitest';
import { useHarness } from './support/harness.js';
import { DEADLINE_MS, editor, editorText, openDocument, placeCaretAfter, waitForStatus, waitForText } from './support/editor-page.js';

const h = useHarness();

/** True when the characters of `needle` appear in `haystack` in order (others may be interleaved). */
function isSubsequence(needle: string, haystack: string): boolean {
  let at = 0;
  for (const char of haystack) if (char === needle[at]) at++;
  return at === needle.length;
}

describe('two users editing one document', () => {
  it('converge while typing concurrently, in the same paragraph and in different ones', async () => {
    const doc = `collab-${Date.now().toString(36)}`;
    const ada = await h.newUser('Ada Lovelace', '#e5484d');
    const bob = await h.newUser('Bob Hopper', '#30a46c');
    await openDocument(ada.page, h.server.url, doc);
    await openDocument(bob.page, h.server.url, doc);

    await editor(ada.page).click();
    await ada.page.keyboard.type('Alpha line.');
    await ada.page.keyboard.press('Enter');
    await ada.page.keyboard.type('Beta line.');
    await waitForText(bob.page, (text) => text === 'Alpha line.\nBeta line.', 'Ada’s two paragraphs at Bob');

    // Same paragraph, same spot, at the same time.
    await placeCaretAfter(ada.page, 'Alpha');
    await placeCaretAfter(bob.page, 'Alpha');
    await Promise.all([ada.page.keyboard.type(' ada-one', { delay: 20 }), bob.page.keyboard.type(' bob-one', { delay: 20 })]);
    // Different paragraphs, at the same time.
    await placeCaretAfter(ada.page, 'Alpha');
    await placeCaretAfter(bob.page, 'Beta');
    await Promise.all([ada.page.keyboard.type(' ada-two', { delay: 20 }), bob.page.keyboard.type(' bob-two', { delay: 20 })]);

    const converged = (text: string): boolean => {
      const [first = '', second = '', ...rest] = text.split('\n');
      return (
        rest.length === 0 &&
        first.startsWith('Alpha line.') &&
        first.length === 'Alpha line.'.length + ' ada-one'.length + ' bob-one'.length + ' ada-two'.length &&
        isSubsequence(' ada-one', first) &&
        isSubsequence(' bob-one', first) &&
        first.endsWith(' ada-two') &&
        second === 'Beta line. bob-two'
      );
    };
    const adaText = await waitForText(ada.page, converged, 'all four edits at Ada');
    await waitForText(bob.page, (text) => text === adaText, 'Bob to match Ada');

    // Each sees the other's caret, labelled with the other's name.
    await bob.page.getByTestId('remote-caret-label').filter({ hasText: 'Ada Lovelace' }).waitFor({ timeout: DEADLINE_MS });
    await ada.page.getByTestId('remote-caret-label').filter({ hasText: 'Bob Hopper' }).waitFor({ timeout: DEADLINE_MS });
    expect(await ada.page.getByTestId('remote-caret-label').allTextContents()).toEqual(['Bob Hopper']);
    expect(await bob.page.getByTestId('remote-caret-label').allTextContents()).toEqual(['Ada Lovelace']);
    // And both people are listed as present.
    expect(await ada.page.getByTestId('presence-name').allTextContents()).toEqual(['Ada Lovelace (you)', 'Bob Hopper']);

    // Stored: both report every change saved, and the server renders the same text.
    await waitForStatus(ada.page, { connection: 'connected', save: 'saved' });
    await waitForStatus(bob.page, { connection: 'connected', save: 'saved' });
    expect(await h.server.documentText(doc)).toBe(adaText);

    // After a reload both still show the same content.
    await Promise.all([ada.page.reload(), bob.page.reload()]);
    await waitForText(ada.page, (text) => text === adaText, 'Ada’s text after reload');
    await waitForText(bob.page, (text) => text === adaText, 'Bob’s text after reload');
    expect(await editorText(bob.page)).toBe(await editorText(ada.page));
  });
});
