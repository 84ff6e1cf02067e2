/**
 * Per-file e2e setup: one Chromium and one server for the file; fresh browser contexts (users)
 * per test, each with its own storage and a chosen display name. A failing test leaves a
 * screenshot of every open page in e2e/artifacts/.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { findPackageRoot } from '../../server/package-root.js';
import { launchBrowser } from './browser.js';
import { startE2EServer, type E2EServer } from './e2e-server.js';

export const ARTIFACTS_DIR = path.join(findPackageRoot(), 'e2e', 'artifacts');

export interface UserSession {
  name: string;
  context: BrowserContext;
  page: Page;
}

export interface Harness {
  readonly server: E2EServer;
  readonly browser: Browser;
  /** A new browser context whose Tandem user is `name` (colour fixed, id `e2e-<name>`), with one open page. */
  newUser(name: string, color?: string): Promise<UserSession>;
}

export function useHarness(): Harness {
  let server: E2EServer | null = null;
  let browser: Browser | null = null;
  const contexts: Array<{ name: string; context: BrowserContext }> = [];
  /** Page errors and console errors of the current test, printed when it fails. */
  const pageErrors: string[] = [];

  beforeAll(async () => {
    browser = await launchBrowser();
    server = await startE2EServer();
  });

  afterEach(async (context) => {
    const failed = context.task.result?.state === 'fail';
    const open = contexts.splice(0);
    const errors = pageErrors.splice(0);
    if (failed && errors.length > 0) console.error(`browser errors during the test:\n${errors.join('\n')}`);
    if (failed) {
      await mkdir(ARTIFACTS_DIR, { recursive: true });
      const slug = context.task.name.replace(/[^A-Za-z0-9]+/g, '-').toLowerCase().slice(0, 80);
      for (const { name, context: browserContext } of open) {
        for (const [index, page] of browserContext.pages().entries()) {
          const file = path.join(ARTIFACTS_DIR, `${slug}--${name.replace(/\W+/g, '-')}-${index}.png`);
          await page.screenshot({ path: file, fullPage: true }).then(
            () => console.error(`screenshot of the failure: ${file}`),
            (error: unknown) => console.error(`could not take a screenshot for ${name}: ${String(error)}`),
          );
        }
      }
    }
    await Promise.all(open.map(({ context: browserContext }) => browserContext.close()));
    // A test that stopped the server must not leave the next test without one.
    await server?.start();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.dispose();
  });

  return {
    get server() {
      if (!server) throw new Error('the e2e server is not started');
      return server;
    },
    get browser() {
      if (!browser) throw new Error('the browser is not launched');
      return browser;
    },
    async newUser(name, color = '#3e63dd') {
      if (!browser) throw new Error('the browser is not launched');
      const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
      contexts.push({ name, context });
      await context.addInitScript((user) => {
        // about:blank has no storage; only pages of the app need the user.
        if (location.protocol.startsWith('http')) localStorage.setItem('tandem:user', JSON.stringify(user));
      }, { name, color, id: `e2e-${name}` });
      context.on('page', (page) => {
        page.on('pageerror', (error) => pageErrors.push(`[${name}] ${error.stack ?? error.message}`));
        page.on('console', (message) => {
          if (message.type() === 'error') pageErrors.push(`[${name}] console: ${message.text()}`);
        });
      });
      const page = await context.newPage();
      return { name, context, page };
    },
  };
}
