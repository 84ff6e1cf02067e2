/**
 * A redis-server of the test's own, for fault tests that stop and restart Redis without touching
 * the machine's: 127.0.0.1 on a free port, a temp folder, no persistence (`--save ''`,
 * `--appendonly no`: a restart comes back empty, as the cluster design assumes it may). It can
 * be stopped and started again on the same port; it is only ever signalled by the PID it started.
 */
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { cleanUpAtProcessEnd, findBinary, launchOnFreePort, spawnEngine, waitUntilReady, type EngineProcess } from './engine-process.js';

export interface PrivateRedisOptions {
  /** Default: redis-server on PATH. */
  binary?: string;
  /** More `--name value` arguments, e.g. `['--rename-command', 'CONFIG', '']`. */
  extraArgs?: readonly string[];
  startTimeoutMs?: number;
}

export interface PrivateRedis {
  readonly port: number;
  readonly url: string;
  /** PID of the running redis-server, or null while stopped. */
  readonly pid: number | null;
  readonly isRunning: boolean;
  /** SIGTERM (a clean shutdown), or SIGKILL with `hard` (a crash). */
  stop(options?: { hard?: boolean }): Promise<void>;
  /** Starts again on the same port (empty: nothing is persisted). */
  start(): Promise<void>;
  /** Stops it and deletes its folder. */
  dispose(): Promise<void>;
}

export async function startPrivateRedis(options: PrivateRedisOptions = {}): Promise<PrivateRedis> {
  const binary = findBinary(options.binary ?? 'redis-server', 'redis-server');
  const dir = await mkdtemp(path.join(tmpdir(), 'tandem-redis-'));
  const forgetDir = cleanUpAtProcessEnd(() => rmSync(dir, { recursive: true, force: true }));
  const timeoutMs = options.startTimeoutMs ?? 15_000;
  let engine: EngineProcess | null = null;
  let port = 0;

  const launch = async (): Promise<void> => {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--logfile', '', ...(options.extraArgs ?? [])];
    const started = await spawnEngine({ command: binary, args, cwd: dir });
    engine = started;
    await waitUntilReady(started, `redis-server on port ${port}`, () => ping(port), timeoutMs);
  };

  try {
    port = await launchOnFreePort(async (free) => {
      port = free;
      await launch();
    });
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    forgetDir();
    throw error;
  }

  const stop = async ({ hard = false } = {}): Promise<void> => {
    await engine?.stop(hard ? 'SIGKILL' : 'SIGTERM');
  };
  return {
    get port() {
      return port;
    },
    get url() {
      return `redis://127.0.0.1:${port}`;
    },
    get pid() {
      return engine?.isRunning ? engine.pid : null;
    },
    get isRunning() {
      return engine?.isRunning ?? false;
    },
    stop,
    async start() {
      if (engine?.isRunning) throw new Error(`private redis on port ${port} is already running`);
      await launch();
    },
    async dispose() {
      try {
        await stop();
      } finally {
        await rm(dir, { recursive: true, force: true });
        forgetDir();
      }
    },
  };
}

/** One PING over a fresh connection that does not retry. */
async function ping(port: number): Promise<void> {
  const client = new Redis({ host: '127.0.0.1', port, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0, enableOfflineQueue: false, connectTimeout: 1_000 });
  // connect() rejects with a generic "connection closed"; the 'error' event says why.
  const seen: { error: Error | null } = { error: null };
  client.on('error', (error: Error) => (seen.error = error));
  try {
    await client.connect();
    const reply: string = await client.ping();
    if (reply !== 'PONG') throw new Error(`PING answered ${reply}`);
  } catch (error) {
    throw seen.error ?? error;
  } finally {
    client.disconnect();
  }
}
