/**
 * Presence counts people, not tabs: the same user with the document open in two tabs shows as
 * one avatar to someone else, and as "you" (once) in each of their own tabs.
 */
import { describe, expect, it } from 'vitest';
import { useHarness } from './support/harness.js';
import { DEADLINE_MS, editor, openDocument, waitForText } from './support/editor-page.js';

const h = useHarness();

describe('presence', () => {
  it('shows a user with two tabs open as one avatar to a third viewer', async () => {
    const doc = `presence-${Date.now().toString(36)}`;
    const ada = await h.newUser('Ada Lovelace', '#e5484d');
    const adaSecondTab = await ada.context.newPage();
    const bob = await h.newUser('Bob Hopper', '#30a46c');
    await openDocument(ada.page, h.server.url, doc);
    await openDocument(adaSecondTab, h.server.url, doc);
    await openDocument(bob.page, h.server.url, doc);

    // Both of Ada's tabs are really connected: what one types, Bob sees, and so does the other.
    await editor(ada.page).click();
    await ada.page.keyboard.type('From tab one.');
    await waitForText(bob.page, (text) => text === 'From tab one.', 'tab one’s text at Bob');
    await waitForText(adaSecondTab, (text) => text === 'From tab one.', 'tab one’s text in tab two');
    // Bob has both of Ada's presence states, and shows them as one person.
    const adaAtBob = bob.page.getByTestId('presence-user').filter({ hasText: 'Ada Lovelace' });
    await expect.poll(() => adaAtBob.getAttribute('data-clients'), { timeout: DEADLINE_MS }).toBe('2');
    expect(await bob.page.getByTestId('presence-name').allTextContents()).toEqual(['Bob Hopper (you)', 'Ada Lovelace']);
    expect(await bob.page.getByTestId('presence-user').count()).toBe(2);
    expect(await bob.page.getByTestId('presence-list').getAttribute('aria-label')).toBe('2 people in this document');
    // In each of Ada's tabs she is "you" once, next to Bob.
    for (const page of [ada.page, adaSecondTab]) {
      await expect.poll(() => page.getByTestId('presence-name').allTextContents(), { timeout: DEADLINE_MS }).toEqual(['Ada Lovelace (you)', 'Bob Hopper']);
    }

    // Closing one of Ada's tabs leaves her present through the other.
    await adaSecondTab.close();
    await expect.poll(() => adaAtBob.getAttribute('data-clients'), { timeout: DEADLINE_MS }).toBe('1');
    expect(await bob.page.getByTestId('presence-name').allTextContents()).toEqual(['Bob Hopper (you)', 'Ada Lovelace']);
  });
});
