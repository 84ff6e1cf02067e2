/**
 * Child processes for private test engines (redis-server, postgres): spawn one, keep the tail of
 * its output for error messages, stop it by the PID we started (never by name), and kill what is
 * still running if the test process exits. Also finds binaries and free ports.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';

export type PrivateEngineErrorCode = 'engine-missing' | 'engine-failed' | 'engine-timeout';

export class PrivateEngineError extends Error {
  readonly code: PrivateEngineErrorCode;

  constructor(code: PrivateEngineErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PrivateEngineError';
    this.code = code;
  }
}

export interface EngineExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface EngineProcess {
  readonly pid: number;
  readonly isRunning: boolean;
  readonly exited: Promise<EngineExit>;
  /** The last lines the process wrote (stdout and stderr). */
  output(): string;
  /** Sends `signal` to our PID; after `timeoutMs` without exit, SIGKILL to the same PID. */
  stop(signal: NodeJS.Signals, timeoutMs?: number): Promise<EngineExit>;
}

export interface SpawnEngineOptions {
  command: string;
  args: readonly string[];
  cwd?: string;
  /** Run as this user (needs root): PostgreSQL refuses to run as root. */
  uid?: number;
  gid?: number;
}

const MAX_OUTPUT_CHARS = 8_000;
const running = new Set<ChildProcess>();
const cleanups = new Set<() => void>();

/**
 * A test process that ends without disposing its engines (a crash, a timeout, vitest stopping a
 * worker with SIGTERM, which skips 'exit' handlers) must not leave them behind: kill exactly the
 * PIDs it started, then run the registered clean-ups (temp folders). Synchronous throughout.
 */
function cleanUpAtEnd(): void {
  for (const child of running) child.kill('SIGKILL');
  for (const cleanup of cleanups) {
    try {
      cleanup();
    } catch (error) {
      process.stderr.write(`test engine clean-up failed: ${String(error)}\n`);
    }
  }
  cleanups.clear();
}

process.once('exit', cleanUpAtEnd);
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    cleanUpAtEnd();
    // Then end as the signal would have, unless someone else handles it.
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  });
}

/** Registers a synchronous clean-up for when the test process ends; returns its remover. */
export function cleanUpAtProcessEnd(cleanup: () => void): () => void {
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

export function spawnEngine(options: SpawnEngineOptions): Promise<EngineProcess> {
  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    uid: options.uid,
    gid: options.gid,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-MAX_OUTPUT_CHARS);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let isRunning = true;
  const exited = new Promise<EngineExit>((resolve) => {
    child.once('exit', (code, signal) => {
      isRunning = false;
      running.delete(child);
      resolve({ code, signal });
    });
  });
  return new Promise((resolve, reject) => {
    child.once('error', (error) => {
      isRunning = false;
      reject(new PrivateEngineError('engine-failed', `could not start ${options.command}: ${error.message}`, { cause: error }));
    });
    child.once('spawn', () => {
      running.add(child);
      resolve({
        pid: child.pid!,
        get isRunning() {
          return isRunning;
        },
        exited,
        output: () => output,
        async stop(signal, timeoutMs = 15_000) {
          if (!isRunning) return exited;
          child.kill(signal);
          const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
          const exit = await exited;
          clearTimeout(timer);
          return exit;
        },
      });
    });
  });
}

/** Runs a command to completion (initdb); rejects with its output unless it exits with 0. */
export async function runToCompletion(options: SpawnEngineOptions): Promise<void> {
  const engine = await spawnEngine(options);
  const exit = await engine.exited;
  if (exit.code !== 0) {
    throw new PrivateEngineError('engine-failed', `${path.basename(options.command)} exited with ${exit.code ?? exit.signal}:\n${engine.output()}`);
  }
}

/** An executable `name` on PATH (or the given path), or an error naming the Debian package. */
export function findBinary(name: string, debianPackage: string, searchPath = process.env.PATH ?? ''): string {
  const candidates = name.includes('/') ? [name] : searchPath.split(path.delimiter).filter(Boolean).map((dir) => path.join(dir, name));
  for (const candidate of candidates) {
    if (isExecutable(candidate)) return candidate;
  }
  throw new PrivateEngineError(
    'engine-missing',
    `${name} not found${name.includes('/') ? '' : ' on PATH'}: install the Debian package ${debianPackage} (apt-get install -y ${debianPackage})`,
  );
}

export function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'EACCES') return false;
    throw error;
  }
}

/**
 * A TCP port on 127.0.0.1 that was free a moment ago. Another process may take it before the
 * engine binds it; callers that start on a fresh port retry on "address in use".
 */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Polls `probe` until it resolves, failing at the deadline or when the engine exits. */
export async function waitUntilReady(engine: EngineProcess, name: string, probe: () => Promise<void>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown = null;
  for (;;) {
    if (!engine.isRunning) {
      const exit = await engine.exited;
      throw new PrivateEngineError('engine-failed', `${name} exited with ${exit.code ?? exit.signal} while starting:\n${engine.output()}`);
    }
    try {
      await probe();
      return;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      await engine.stop('SIGKILL');
      throw new PrivateEngineError('engine-timeout', `${name} not ready within ${timeoutMs} ms (${String(lastError)}):\n${engine.output()}`, { cause: lastError });
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * Picks a free port and launches on it; a port found free can be taken before the engine binds
 * it, so an "address already in use" failure tries a fresh port (three tries in all).
 */
export async function launchOnFreePort(launch: (port: number) => Promise<void>): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    const port = await findFreePort();
    try {
      await launch(port);
      return port;
    } catch (error) {
      const inUse = error instanceof PrivateEngineError && /address already in use/i.test(error.message);
      if (!inUse || attempt === 3) throw error;
    }
  }
}
