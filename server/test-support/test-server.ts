/** A real Tandem server on port 0 with LevelDB in a temp folder, and its log lines for asserting. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { parseServeConfig, type ServerConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { RecentErrors } from '../ops/recent-errors.js';
import { startServer, type RunningServer, type StartOptions } from '../main.js';
import { createLeveldbStore } from '../persistence/leveldb-store.js';
import type { DocumentStore } from '../persistence/document-store.js';

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

export interface TestServer {
  server: RunningServer;
  url: string;
  wsUrl: string;
  dataDir: string;
  config: ServerConfig;
  logs: LogLine[];
  /** Graceful stop and start again on the same data folder (new port). */
  restart(): Promise<void>;
  /** Stops the server and deletes its data folder. */
  dispose(): Promise<void>;
}

export interface TestServerOptions {
  /** Wrap the real LevelDB store (to count or fail calls); the wrapper sees every call. */
  wrapStore?: (store: DocumentStore) => DocumentStore;
  /** Use this (existing, possibly empty) folder instead of a fresh temp folder; dispose still deletes it. */
  dataDir?: string;
  /** How often revocations stored in PostgreSQL are read (with DATABASE_URL). */
  revocationPollMs?: number;
  /** More startServer options (webhook tuning and counters). */
  start?: Pick<StartOptions, 'webhookTuning' | 'webhookCounters' | 'historyClock' | 'savedAckRideMs'>;
}

export async function startTestServer(
  flags: string[] = [],
  env: Record<string, string> = {},
  options: TestServerOptions = {},
): Promise<TestServer> {
  const dataDir = options.dataDir ?? (await mkdtemp(path.join(tmpdir(), 'tandem-test-')));
  const config = parseServeConfig(['--port', '0', '--data-dir', dataDir, '--log-level', 'info', ...flags], env);
  const logs: LogLine[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() !== '') logs.push(JSON.parse(line) as LogLine);
      }
      done();
    },
  });
  // Kept like a production server's, for the admin overview.
  const recentErrors = new RecentErrors();
  const logger = createLogger(config.logLevel, sink, recentErrors);
  const { wrapStore } = options;
  // With a wrapper the test owns the store: open it here and keep it across restarts.
  let store: DocumentStore | undefined;
  if (wrapStore) store = wrapStore(await createLeveldbStore({ directory: dataDir, fsync: false }));
  const pollMs = options.revocationPollMs;
  const start = () => startServer(config, { logger, recentErrors, ...options.start, ...(store ? { store } : {}), ...(pollMs !== undefined ? { revocationPollMs: pollMs } : {}) });
  let server = await start();
  const handle: TestServer = {
    get server() {
      return server;
    },
    get url() {
      return server.url;
    },
    get wsUrl() {
      return server.url.replace(/^http/, 'ws');
    },
    dataDir,
    config,
    logs,
    async restart() {
      await server.close();
      server = await start();
    },
    async dispose() {
      try {
        await server.close();
      } finally {
        await store?.close();
        await rm(dataDir, { recursive: true, force: true });
      }
    },
  };
  return handle;
}
