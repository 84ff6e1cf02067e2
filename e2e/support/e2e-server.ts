/**
 * A real Tandem server for browser tests: LevelDB in a temp folder, the built client from
 * dist/client, 127.0.0.1 on a free port. It can be stopped and started again on the SAME port and
 * data folder, so open pages reconnect to it by themselves as they would in production.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseServeConfig } from '../../server/config.js';
import { createLogger } from '../../server/logger.js';
import { startServer, type RunningServer } from '../../server/main.js';
import { findPackageRoot } from '../../server/package-root.js';

export interface E2EServer {
  readonly url: string;
  readonly port: number;
  readonly isRunning: boolean;
  /** Graceful stop: documents flushed, sockets closed; pages see the server go away. */
  stop(): Promise<void>;
  /** Starts again on the same port and data folder. */
  start(): Promise<void>;
  /** Plain text of a document as the server renders it (GET /api/docs/:name?format=text). */
  documentText(name: string): Promise<string>;
  dispose(): Promise<void>;
}

export async function startE2EServer(): Promise<E2EServer> {
  const clientDir = path.join(findPackageRoot(), 'dist', 'client');
  for (const file of ['index.html', 'lib/tandem-editor.js', 'examples/embed.html']) {
    if (!existsSync(path.join(clientDir, file))) {
      throw new Error(`e2e needs the built client (${path.join(clientDir, file)} is missing): run "npm run build" first`);
    }
  }
  const dataDir = await mkdtemp(path.join(tmpdir(), 'tandem-e2e-'));
  const logger = createLogger('warn');
  const configFor = (port: number) =>
    parseServeConfig(['--port', String(port), '--host', '127.0.0.1', '--data-dir', dataDir, '--client-dir', clientDir, '--log-level', 'warn'], {});
  let server: RunningServer | null = await startServer(configFor(0), { logger });
  const port = server.port;
  const url = server.url;

  return {
    url,
    port,
    get isRunning() {
      return server !== null;
    },
    async stop() {
      const running = server;
      server = null;
      await running?.close();
    },
    async start() {
      if (server) return;
      server = await startServer(configFor(port), { logger });
    },
    async documentText(name) {
      const response = await fetch(`${url}/api/docs/${encodeURIComponent(name)}?format=text`);
      if (!response.ok) throw new Error(`GET ${name} as text: ${response.status} ${await response.text()}`);
      return response.text();
    },
    async dispose() {
      const running = server;
      server = null;
      try {
        await running?.close();
      } finally {
        await rm(dataDir, { recursive: true, force: true });
      }
    },
  };
}
