/**
 * Parent side of the calm-document child process (calm-document.ts): starts it, tells it when
 * to start and stop sampling, and collects its latency samples. Every wait is bounded; the child
 * is killed by its PID if it does not finish.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ServerKind } from '../servers/server-process.js';

export interface CalmOptions {
  kind: ServerKind;
  wsUrl: string;
  docName: string;
  saveAck: boolean;
  intervalMs: number;
}

export type CalmCommand = { type: 'measure' } | { type: 'stop' };

export type CalmReport =
  | { type: 'ready' }
  | { type: 'result'; samples: number[]; censored: number; edits: number }
  | { type: 'error'; message: string };

export interface CalmResult {
  samples: number[];
  /** Measured edits some reader never received, sampled at their age when sampling stopped. */
  censored: number;
}

export interface CalmDocument {
  startMeasuring(): void;
  stop(timeoutMs?: number): Promise<CalmResult>;
  kill(): void;
}

const SCRIPT = fileURLToPath(new URL('./calm-document.ts', import.meta.url));

function nextReport(child: ChildProcess, timeoutMs: number, what: string): Promise<CalmReport> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`calm-document child: no ${what} within ${timeoutMs} ms`)), timeoutMs);
    const onMessage = (report: CalmReport): void => finish(null, report);
    const onExit = (code: number | null): void => finish(new Error(`calm-document child exited (${code}) before ${what}`));
    function finish(error: Error | null, report?: CalmReport): void {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (error) reject(error);
      else if (report?.type === 'error') reject(new Error(`calm-document child: ${report.message}`));
      else resolve(report!);
    }
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

export async function startCalmDocument(options: CalmOptions): Promise<CalmDocument> {
  const child = fork(SCRIPT, [JSON.stringify(options)], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, NODE_OPTIONS: '' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const kill = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  try {
    await nextReport(child, 30_000, 'ready');
  } catch (error) {
    kill();
    throw error;
  }
  return {
    startMeasuring() {
      child.send({ type: 'measure' } satisfies CalmCommand);
    },
    async stop(timeoutMs = 10_000) {
      const reply = nextReport(child, timeoutMs, 'result');
      child.send({ type: 'stop' } satisfies CalmCommand);
      try {
        const report = await reply;
        if (report.type !== 'result') throw new Error(`calm-document child: unexpected ${report.type}`);
        return { samples: report.samples, censored: report.censored };
      } finally {
        // It exits on its own after reporting; this only catches one that hangs.
        setTimeout(kill, 2_000).unref();
      }
    },
    kill,
  };
}
