/**
 * A Tandem server with auth on (HS256 secret) for browser tests, serving the built client, plus
 * a minting helper. `extraArgs` adds serve options (e.g. `--allowed-origins`); `open: true`
 * starts it without auth instead (`mint` then makes tokens nobody checks).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseServeConfig } from '../../server/config.js';
import { createLogger } from '../../server/logger.js';
import { startServer, type RunningServer } from '../../server/main.js';
import { findPackageRoot } from '../../server/package-root.js';
import { mintToken } from '../../server/auth/mint-token.js';

export const E2E_SECRET = 'e2e-secret-0123456789-abcdefghijklmnopq';

export interface AuthE2EServer {
  readonly server: RunningServer;
  readonly url: string;
  /** A token for `sub` with these `docs` permissions, valid for `ttlSeconds`. */
  mint(options: { sub: string; docs: string[]; ttlSeconds: number; name?: string; admin?: boolean }): Promise<string>;
  /** Plain text of a document as the server renders it (GET /api/docs/:name?format=text), read with a fresh token. */
  documentText(name: string): Promise<string>;
  dispose(): Promise<void>;
}

export async function startAuthE2EServer(extraArgs: string[] = [], { open = false }: { open?: boolean } = {}): Promise<AuthE2EServer> {
  const clientDir = path.join(findPackageRoot(), 'dist', 'client');
  if (!existsSync(path.join(clientDir, 'lib', 'tandem-editor.js'))) throw new Error('e2e needs the built client: run "npm run build" first');
  const dataDir = await mkdtemp(path.join(tmpdir(), 'tandem-e2e-auth-'));
  const config = parseServeConfig(
    ['--port', '0', '--host', '127.0.0.1', '--data-dir', dataDir, '--client-dir', clientDir, '--log-level', 'warn', ...extraArgs],
    open ? {} : { TANDEM_AUTH_SECRET: E2E_SECRET },
  );
  const server = await startServer(config, { logger: createLogger('warn') });
  const mint: AuthE2EServer['mint'] = (options) => mintToken({ secret: E2E_SECRET, ...options });
  return {
    server,
    url: server.url,
    mint,
    async documentText(name) {
      const reader = await mint({ sub: 'e2e-reader', docs: [`${name}:read`], ttlSeconds: 60 });
      const response = await fetch(`${server.url}/api/docs/${encodeURIComponent(name)}?format=text`, { headers: { authorization: `Bearer ${reader}` } });
      if (!response.ok) throw new Error(`GET ${name} as text: ${response.status} ${await response.text()}`);
      return response.text();
    },
    async dispose() {
      try {
        await server.close();
      } finally {
        await rm(dataDir, { recursive: true, force: true });
      }
    },
  };
}
