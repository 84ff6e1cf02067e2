/** A Tandem server in a child process (`tandem serve` from source via tsx), for kill and signal tests. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import path from 'node:path';
import { findPackageRoot } from '../package-root.js';

export interface ChildServer {
  process: ChildProcess;
  url: string;
  wsUrl: string;
  /** Resolves with the exit code (null when killed by a signal) and signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  logLines: string[];
}

export async function startChildServer(args: string[], timeoutMs = 20_000, env: Record<string, string> = {}): Promise<ChildServer> {
  const root = findPackageRoot();
  // The machine's DATABASE_URL / REDIS_URL (read by the tests themselves) must not turn every
  // child into a PostgreSQL-backed cluster member: a test that wants one passes them in `env`.
  const { DATABASE_URL: _database, REDIS_URL: _redis, ...inherited } = process.env;
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'server', 'cli.ts'), 'serve', '--port', '0', ...args], {
    cwd: root,
    env: { ...inherited, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logLines: string[] = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`child server did not start in ${timeoutMs} ms: ${stderr}`)), timeoutMs);
    void exited.then(({ code }) => reject(new Error(`child server exited with ${code}: ${stderr}`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      logLines.push(line);
      const entry = JSON.parse(line) as { msg?: string; url?: string };
      if (entry.msg === 'tandem listening' && entry.url) {
        clearTimeout(timer);
        resolve(entry.url);
      }
    });
  });
  return { process: child, url, wsUrl: url.replace(/^http/, 'ws'), exited, logLines };
}
