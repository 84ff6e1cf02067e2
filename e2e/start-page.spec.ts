/** The start page: a new document gets a readable random name; open by name validates input. */
import { describe, expect, it } from 'vitest';
import { useHarness } from './support/harness.js';
import { DEADLINE_MS, editor, waitForStatus } from './support/editor-page.js';

const h = useHarness();

describe('start page', () => {
  it('creates a document with a readable name and opens documents by name', async () => {
    const { page } = await h.newUser('Katherine Johnson', '#3e63dd');
    await page.goto(h.server.url);
    await page.getByRole('heading', { name: 'Write together, in real time.' }).waitFor({ timeout: DEADLINE_MS });

    await page.getByRole('button', { name: 'New document' }).click();
    await page.waitForURL(/\/d\/[a-z]+-[a-z]+-\d{2}$/, { timeout: DEADLINE_MS });
    const name = decodeURIComponent(new URL(page.url()).pathname.slice('/d/'.length));
    await waitForStatus(page, { connection: 'connected', save: 'saved' });
    expect(await page.getByTestId('document-title').textContent()).toBe(name);
    await editor(page).click();
    await page.keyboard.type('First words.');
    await waitForStatus(page, { save: 'saved' });

    await page.goto(h.server.url);
    const input = page.getByLabel('Open a document by name');
    await input.fill('not a name!');
    await page.getByRole('button', { name: 'Open' }).click();
    await page.getByRole('alert').filter({ hasText: 'letters, digits' }).waitFor({ timeout: DEADLINE_MS });
    expect(page.url()).toBe(`${h.server.url}/`);

    await input.fill(name);
    await page.getByRole('button', { name: 'Open' }).click();
    await page.waitForURL(`${h.server.url}/d/${name}`, { timeout: DEADLINE_MS });
    await editor(page).getByText('First words.').waitFor({ timeout: DEADLINE_MS });
  });
});
