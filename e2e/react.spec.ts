/**
 * The React entry point (`tandem/react`) in Chromium: a page built with Vite from
 * e2e/fixtures/react-app renders <TandemEditor> in StrictMode, its text reaches the server, the
 * status and presence hooks follow the editor, and unmounting destroys the editor and closes its
 * socket (in the page and on the server); `history={false}` leaves the history panel out;
 * `transport="http"` edits from the other origin over the HTTP fallback (CORS on /sync).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'vite';
import type { Browser } from 'playwright-core';
import { findPackageRoot } from '../server/package-root.js';
import { launchBrowser } from './support/browser.js';
import { startAuthE2EServer, type AuthE2EServer } from './support/auth-e2e-server.js';
import { DEADLINE_MS, editor, waitForStatus } from './support/editor-page.js';
import { readRecord, recordSockets } from './support/library-page.js';
import { serveStatic, type StaticServer } from './support/static-server.js';
import { parseSamples, sampleValue } from '../server/test-support/metrics-text.js';

interface FixtureWindow {
  reactTandem: { editor: { isDestroyed: boolean } } | null;
  lastTandem: { editor: { isDestroyed: boolean }; provider: { wsconnected: boolean; shouldConnect: boolean } } | null;
  statusCalls: number;
}

describe('React component', () => {
  let outDir: string;
  let site: StaticServer;
  let tandem: AuthE2EServer;
  let browser: Browser;

  beforeAll(async () => {
    outDir = await mkdtemp(path.join(tmpdir(), 'tandem-react-'));
    await build({
      configFile: false,
      logLevel: 'warn',
      root: path.join(findPackageRoot(), 'e2e', 'fixtures', 'react-app'),
      build: { outDir, emptyOutDir: true, chunkSizeWarningLimit: 4096 },
    });
    site = await serveStatic(outDir);
    tandem = await startAuthE2EServer(['--allowed-origins', site.url], { open: true });
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await tandem?.dispose();
    await site?.close();
    if (outDir) await rm(outDir, { recursive: true, force: true });
  });

  it('renders, edits (the text reaches the server) and unmounts cleanly: editor destroyed, socket closed', async () => {
    const doc = `react-${Date.now().toString(36)}`;
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await recordSockets(page);
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await page.goto(`${site.url}/?server=${encodeURIComponent(tandem.url)}&doc=${doc}`);
      await page.getByRole('heading', { name: 'React fixture' }).waitFor({ timeout: DEADLINE_MS });
      await waitForStatus(page, { connection: 'connected', save: 'saved' });
      // The hooks follow the editor.
      await page.getByTestId('react-status').filter({ hasText: 'connected · saved · 1 present' }).waitFor({ timeout: DEADLINE_MS });

      // The history panel is on by default.
      expect(await page.getByTestId('history-button').count()).toBe(1);

      await editor(page).click();
      await page.keyboard.type('Written in React.');
      await waitForStatus(page, { connection: 'connected', save: 'saved' });
      expect(await tandem.documentText(doc)).toBe('Written in React.');
      expect(await page.evaluate(() => (window as unknown as FixtureWindow).statusCalls)).toBeGreaterThan(0);
      // StrictMode mounted, unmounted and mounted again: one editor and one socket remain.
      expect(await editor(page).count()).toBe(1);
      expect((await readRecord(page)).socketsLive).toBe(1);
      await expect.poll(() => tandem.server.gateway.connectionCount, { timeout: DEADLINE_MS }).toBe(1);

      await page.getByRole('button', { name: 'Unmount editor' }).click();
      await page.getByTestId('react-status').filter({ hasText: 'no editor' }).waitFor({ timeout: DEADLINE_MS });
      expect(await editor(page).count()).toBe(0);
      const after = await page.evaluate(() => {
        const fixture = window as unknown as FixtureWindow;
        return {
          current: fixture.reactTandem,
          isDestroyed: fixture.lastTandem?.editor.isDestroyed,
          wsconnected: fixture.lastTandem?.provider.wsconnected,
          shouldConnect: fixture.lastTandem?.provider.shouldConnect,
        };
      });
      expect(after).toEqual({ current: null, isDestroyed: true, wsconnected: false, shouldConnect: false });
      await expect.poll(async () => (await readRecord(page)).socketsLive, { timeout: DEADLINE_MS }).toBe(0);
      await expect.poll(() => tandem.server.gateway.connectionCount, { timeout: DEADLINE_MS }).toBe(0);
      expect(errors).toEqual([]);

      // Mounting again reconnects to the same document.
      await page.getByRole('button', { name: 'Mount editor' }).click();
      await waitForStatus(page, { connection: 'connected', save: 'saved' });
      await expect.poll(() => editor(page).textContent(), { timeout: DEADLINE_MS }).toBe('Written in React.');
    } finally {
      await context.close();
    }
  });

  it('passes the transport prop: transport="http" edits from another origin over the HTTP fallback (CORS), with no WebSocket', async () => {
    const doc = `react-http-${Date.now().toString(36)}`;
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await recordSockets(page);
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      page.on('console', (message) => {
        // The static site has no favicon; Chromium asks for it now and then.
        if (message.type() === 'error' && !message.location().url.endsWith('/favicon.ico')) errors.push(`${message.text()} ${message.location().url}`);
      });
      const requests = async (route: string, status: string): Promise<number> =>
        sampleValue(parseSamples(await tandem.server.metrics.render()), 'tandem_http_requests_total', { route, status });
      // Preflights are answered before any route matches: route "other", 204. Counted over the
      // whole session, from before the page opened it.
      const before = { preflights: await requests('other', '204'), posts: await requests('/sync/:name/sessions/:id/messages', '200') };
      await page.goto(`${site.url}/?server=${encodeURIComponent(tandem.url)}&doc=${doc}&transport=http`);
      await waitForStatus(page, { connection: 'connected', save: 'saved' });
      expect(await page.getByTestId('connection-status').textContent()).toBe('Connected · HTTP fallback');
      await editor(page).click();
      await page.keyboard.type('Over HTTP from another origin.');
      await waitForStatus(page, { connection: 'connected', save: 'saved' });
      expect(await tandem.documentText(doc)).toBe('Over HTTP from another origin.');
      const preflights = (await requests('other', '204')) - before.preflights;
      const posts = (await requests('/sync/:name/sessions/:id/messages', '200')) - before.posts;
      console.log(`react http: ${posts} POSTs and ${preflights} preflights for a session that typed 30 characters`);
      expect(posts).toBeGreaterThan(0);
      // seq/ack travel in headers, so every POST of the session shares one URL and one cached
      // preflight: at most one each for open, stream and messages, however many POSTs.
      expect(preflights).toBeGreaterThan(0);
      expect(preflights).toBeLessThanOrEqual(3);
      expect((await readRecord(page)).socketsOpened).toBe(0);
      // A CORS refusal would show here as a console error.
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('shows no history button with the history={false} prop', async () => {
    const doc = `react-nohistory-${Date.now().toString(36)}`;
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(`${site.url}/?server=${encodeURIComponent(tandem.url)}&doc=${doc}&history=false`);
      await waitForStatus(page, { connection: 'connected', save: 'saved' });
      expect(await page.getByTestId('status').count()).toBe(1);
      expect(await page.getByTestId('history-button').count()).toBe(0);
    } finally {
      await context.close();
    }
  });
}, 180_000);
