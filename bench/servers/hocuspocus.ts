/**
 * @hocuspocus/server 4.7 + SQLite under test. Its launcher (bench/peers/hocuspocus-server.ts) is
 * transpiled once to plain JS under node_modules/.cache, so the server runs on bare `node`
 * like the others (no TypeScript loader thread inflating its memory or CPU).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { spawnServer, type ServerHandle } from './server-process.js';
import type { ServerLauncher, StartOptions } from './server-launcher.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const SOURCE = path.join(ROOT, 'bench', 'peers', 'hocuspocus-server.ts');
// Inside the repository so the compiled file resolves @hocuspocus/* from node_modules.
const COMPILED = path.join(ROOT, 'node_modules', '.cache', 'tandem-bench', 'hocuspocus-server.mjs');

function transpileLauncher(): void {
  const output = ts.transpileModule(readFileSync(SOURCE, 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  });
  mkdirSync(path.dirname(COMPILED), { recursive: true });
  writeFileSync(COMPILED, output.outputText);
}

export const hocuspocusLauncher: ServerLauncher = {
  kind: 'hocuspocus',
  label: '@hocuspocus/server',
  usesSaveAck: false,
  prepare: transpileLauncher,
  start({ port, dataDir, env }: StartOptions): Promise<ServerHandle> {
    mkdirSync(dataDir, { recursive: true });
    return spawnServer({
      kind: 'hocuspocus',
      port,
      dataDir,
      args: [COMPILED],
      env: { ...env, HOST: '127.0.0.1', PORT: String(port), HOCUSPOCUS_SQLITE: path.join(dataDir, 'hocuspocus.sqlite') },
    });
  },
};
