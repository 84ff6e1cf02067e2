/**
 * One server under test as a child process: spawned with `node` directly (so the child PID is the
 * server whose /proc we read), its output kept in a log file, ready once HTTP answers on its port.
 * Only this PID is ever signalled.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { request } from 'node:http';
import path from 'node:path';
import { sleep } from '../lib/wait.js';

export type ServerKind = 'tandem' | 'y-websocket' | 'hocuspocus' | 'bare-relay';

/** Columns shown for reference, never a peer to compare with. */
export const REFERENCE_KINDS: readonly ServerKind[] = ['bare-relay'];

export interface ServerHandle {
  kind: ServerKind;
  pid: number;
  port: number;
  /** ws://127.0.0.1:<port> without a trailing slash; clients add the document name. */
  wsUrl: string;
  dataDir: string;
  /** Resolves with the exit code once the process has exited. */
  readonly exited: Promise<number | null>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code (null if killed). */
  stop(graceMs?: number): Promise<number | null>;
  /** Tail of the server's output, for error messages. */
  logTail(): Promise<string>;
}

/** Every server process this harness started and that has not exited yet. */
const liveChildren = new Set<ChildProcess>();

/** Last resort (watchdog, Ctrl-C): SIGKILL the servers this process started, by their PID. */
export function killStartedServers(): void {
  for (const child of liveChildren) child.kill('SIGKILL');
}

export interface SpawnOptions {
  kind: ServerKind;
  args: string[];
  env?: Record<string, string>;
  port: number;
  dataDir: string;
  readyTimeoutMs?: number;
  /** Ready once GET <path> answers 200 (default: any HTTP answer on `/`). */
  readyPath?: string;
}

/**
 * The harness's own engine settings that must not reach a server unless its launcher passes
 * them: with DATABASE_URL and REDIS_URL inherited, every Tandem under test would quietly become a
 * PostgreSQL-backed cluster member.
 */
const NOT_INHERITED = ['DATABASE_URL', 'REDIS_URL', 'TANDEM_DATABASE_SCHEMA', 'TANDEM_REDIS_KEY_PREFIX'];

/** process.env without the engine settings above. */
export function inheritedEnv(): Record<string, string | undefined> {
  const env = { ...process.env };
  for (const key of NOT_INHERITED) delete env[key];
  return env;
}

export async function spawnServer(options: SpawnOptions): Promise<ServerHandle> {
  const logPath = path.join(options.dataDir, '..', `${options.kind}-${options.port}.log`);
  const log = createWriteStream(logPath, { flags: 'a' });
  const child: ChildProcess = spawn(process.execPath, options.args, {
    env: { ...inheritedEnv(), ...options.env, NODE_OPTIONS: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${options.kind}: spawn failed`);
  liveChildren.add(child);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      liveChildren.delete(child);
      resolve(code);
    }),
  );
  let hasExited = false;
  void exited.then(() => {
    hasExited = true;
  });
  const logTail = async (): Promise<string> => (await readFile(logPath, 'utf8').catch(() => '')).slice(-2000);
  const handle: ServerHandle = {
    kind: options.kind,
    pid,
    port: options.port,
    wsUrl: `ws://127.0.0.1:${options.port}`,
    dataDir: options.dataDir,
    exited,
    async stop(graceMs = 30_000) {
      if (hasExited) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => {
        if (!hasExited) child.kill('SIGKILL');
      }, graceMs);
      const code = await exited;
      clearTimeout(timer);
      log.end();
      return code;
    },
    logTail,
  };
  const deadline = performance.now() + (options.readyTimeoutMs ?? 30_000);
  while (!(await answersHttp(options.port, options.readyPath))) {
    if (hasExited || performance.now() > deadline) {
      await handle.stop(1_000);
      throw new Error(`${options.kind} did not start on port ${options.port}:\n${await logTail()}`);
    }
    await sleep(50);
  }
  return handle;
}

/** Any answer on `/`, or a 200 on `readyPath` when one is given. */
function answersHttp(port: number, readyPath?: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: readyPath ?? '/', method: 'GET', timeout: 1_000 }, (res) => {
      res.resume();
      resolve(readyPath === undefined || res.statusCode === 200);
    });
    req.once('error', () => resolve(false));
    req.once('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.end();
  });
}
