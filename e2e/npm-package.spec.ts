/**
 * The package as an app installs it: `npm pack` the project, create a fresh Vite app in a temp
 * folder that depends on the tarball and its peers (installed by npm, not linked to the sources),
 * type-check it against the package's declarations, build it with Vite, serve the build from its
 * own origin, and edit one document from it and from the Tandem app together. The app's bundle
 * holds one copy of Yjs, and the page never warns "Yjs was already imported".
 *
 * npm install uses the local cache first (--prefer-offline) and may reach the registry; it is
 * bounded (INSTALL_TIMEOUT_MS) and its time is printed. It is never skipped.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Browser } from 'playwright-core';
import { findPackageRoot } from '../server/package-root.js';
import { launchBrowser } from './support/browser.js';
import { startAuthE2EServer, type AuthE2EServer } from './support/auth-e2e-server.js';
import { DEADLINE_MS, editor, openDocument, placeCaretAtEnd, waitForStatus, waitForText } from './support/editor-page.js';
import { serveStatic, type StaticServer } from './support/static-server.js';

const run = promisify(execFile);
const ROOT = findPackageRoot();
const INSTALL_TIMEOUT_MS = 240_000;
/** The peers the app installs next to the tarball, at the versions this project uses. */
const PEERS = [
  'yjs',
  'y-protocols',
  'y-websocket',
  'y-indexeddb',
  'lib0',
  '@tiptap/core',
  '@tiptap/pm',
  '@tiptap/starter-kit',
  '@tiptap/extensions',
  '@tiptap/extension-collaboration',
  '@tiptap/extension-collaboration-caret',
  '@tiptap/y-tiptap',
];
/** A string in Yjs's entry module, once per bundled copy of Yjs. */
const YJS_MARKER = 'Yjs was already imported';

async function installedVersion(name: string): Promise<string> {
  const manifest = JSON.parse(await readFile(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string };
  return manifest.version;
}

const MAIN_TS = `
import { createEditor, type EditorStatus, type TandemEditor } from 'tandem/editor';
import * as Y from 'yjs';

const params = new URLSearchParams(location.search);
const tandem: TandemEditor = createEditor({
  element: document.getElementById('app')!,
  serverUrl: params.get('server')!,
  document: params.get('doc')!,
  user: { name: 'Packaged Pat', color: '#8e4ec6' },
  onStatus: (status: EditorStatus) => {
    document.body.dataset.connection = status.connection;
  },
});
// One Yjs in the app: the editor's document is an instance of the app's own Y.Doc.
document.body.dataset.sameYjs = String(tandem.ydoc instanceof Y.Doc);
`;

/**
 * Runs the server entry point as a Node app would: start on a free port, ask /healthz, stop; and
 * resolves the script-tag build through the exports map.
 */
const SERVER_CHECK_MJS = `
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseServeConfig, startServer } from 'tandem/server';

const dataDir = await mkdtemp(path.join(tmpdir(), 'tandem-pack-server-'));
const server = await startServer(parseServeConfig(['--port', '0', '--host', '127.0.0.1', '--data-dir', dataDir, '--log-level', 'warn'], {}));
const response = await fetch(server.url + '/healthz');
const script = existsSync(fileURLToPath(import.meta.resolve('tandem/script')));
console.log(JSON.stringify({ status: response.status, body: await response.json(), script }));
await server.close();
await rm(dataDir, { recursive: true, force: true });
`;

describe('the npm package in a fresh Vite app', () => {
  let work: string;
  let appDir: string;
  let browser: Browser;
  let tandem: AuthE2EServer;
  let site: StaticServer;

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'tandem-pack-'));
    appDir = path.join(work, 'app');
    const packed = await run('npm', ['pack', '--json', '--pack-destination', work], { cwd: ROOT, timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
    const entries = JSON.parse(packed.stdout) as Array<{ filename: string }>;
    const tarball = path.join(work, entries[0]!.filename);

    const dependencies: Record<string, string> = { tandem: `file:${tarball}` };
    for (const name of PEERS) dependencies[name] = await installedVersion(name);
    await run('mkdir', ['-p', appDir]);
    await writeFile(
      path.join(appDir, 'package.json'),
      JSON.stringify({ name: 'pack-test-app', private: true, type: 'module', dependencies, devDependencies: { vite: await installedVersion('vite') } }, null, 2),
    );
    await writeFile(path.join(appDir, 'index.html'), '<!doctype html><html><body><h1>Packaged app</h1><div id="app"></div><script type="module" src="/main.ts"></script></body></html>');
    await writeFile(path.join(appDir, 'main.ts'), MAIN_TS);
    await writeFile(path.join(appDir, 'server-check.mjs'), SERVER_CHECK_MJS);
    await writeFile(
      path.join(appDir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { target: 'ES2022', module: 'ESNext', moduleResolution: 'Bundler', strict: true, noEmit: true, lib: ['ES2023', 'DOM', 'DOM.Iterable'], types: [], skipLibCheck: true },
        include: ['main.ts'],
      }),
    );

    const started = Date.now();
    await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: appDir, timeout: INSTALL_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 });
    console.log(`npm install of the packed tarball and its peers: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    await run(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', appDir], { cwd: appDir, timeout: 120_000 });
    await run(process.execPath, [path.join(appDir, 'node_modules', 'vite', 'bin', 'vite.js'), 'build'], { cwd: appDir, timeout: 120_000 });

    site = await serveStatic(path.join(appDir, 'dist'));
    // The app is served from its own origin: the Tandem server must allow it.
    tandem = await startAuthE2EServer(['--allowed-origins', site.url], { open: true });
    browser = await launchBrowser();
  }, INSTALL_TIMEOUT_MS + 300_000);

  afterAll(async () => {
    await browser?.close();
    await tandem?.dispose();
    await site?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('installs a copy of the package, not a link to the sources', async () => {
    const installed = path.join(appDir, 'node_modules', 'tandem');
    const { stdout } = await run('stat', ['-c', '%F', installed]);
    expect(stdout.trim()).toBe('directory');
    const manifest = JSON.parse(await readFile(path.join(installed, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
    expect(Object.keys(manifest.exports)).toEqual(expect.arrayContaining(['./editor', './element', './react', './server']));
    // Only what the package is for: no sources, tests or data.
    const top = await readdir(installed);
    expect(top.sort()).toEqual(['LICENSE', 'README.md', 'dist', 'package.json']);
  });

  it('runs the server from the installed package (tandem/server in a Node app, the tandem command) and exports the script-tag build', async () => {
    const { stdout } = await run(process.execPath, ['server-check.mjs'], { cwd: appDir, timeout: 60_000 });
    expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toEqual({ status: 200, body: { status: 'ok' }, script: true });
    const help = await run(path.join(appDir, 'node_modules', '.bin', 'tandem'), ['--help'], { cwd: appDir, timeout: 60_000 });
    expect(help.stdout).toContain('serve');
  });

  it('bundles one copy of Yjs', async () => {
    const assets = path.join(appDir, 'dist', 'assets');
    let copies = 0;
    for (const file of await readdir(assets)) {
      if (file.endsWith('.js')) copies += (await readFile(path.join(assets, file), 'utf8')).split(YJS_MARKER).length - 1;
    }
    expect(copies).toBe(1);
  });

  it('edits one document together with the Tandem app, each seeing the other’s text', async () => {
    const doc = `packaged-${Date.now().toString(36)}`;
    const appContext = await browser.newContext();
    const tandemContext = await browser.newContext();
    try {
      const app = await appContext.newPage();
      const warnings: string[] = [];
      app.on('console', (message) => warnings.push(message.text()));
      app.on('pageerror', (error) => warnings.push(error.message));
      const reader = await tandemContext.newPage();

      await app.goto(`${site.url}/?server=${encodeURIComponent(tandem.url)}&doc=${doc}`);
      await app.getByRole('heading', { name: 'Packaged app' }).waitFor({ timeout: DEADLINE_MS });
      await waitForStatus(app, { connection: 'connected', save: 'saved' });
      expect(await app.evaluate(() => document.body.dataset.sameYjs)).toBe('true');
      await openDocument(reader, tandem.url, doc);

      await editor(app).click();
      await app.keyboard.type('Typed in the packaged app.');
      await waitForText(reader, (text) => text === 'Typed in the packaged app.', 'the packaged app’s text in the Tandem app');
      await placeCaretAtEnd(reader);
      await reader.keyboard.press('Enter');
      await reader.keyboard.type('Answered from Tandem.');
      await waitForText(app, (text) => text === 'Typed in the packaged app.\nAnswered from Tandem.', 'the Tandem app’s text in the packaged app');

      await waitForStatus(app, { save: 'saved' });
      await waitForStatus(reader, { save: 'saved' });
      expect(await tandem.documentText(doc)).toBe('Typed in the packaged app.\nAnswered from Tandem.');
      expect(warnings.filter((text) => text.includes(YJS_MARKER))).toEqual([]);
    } finally {
      await appContext.close();
      await tandemContext.close();
    }
  });
}, 600_000);
