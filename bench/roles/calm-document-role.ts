/**
 * Parent side of the calm-document child process (calm-document.ts): starts it, tells it when
 * to start and stop sampling, and collects its latency samples.
 */
import { fileURLToPath } from 'node:url';
import type { ServerKind } from '../servers/server-process.js';
import { forkRole } from './child-role.js';

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

export async function startCalmDocument(options: CalmOptions): Promise<CalmDocument> {
  const role = await forkRole<CalmCommand, CalmReport>(SCRIPT, options, 'calm-document');
  return {
    startMeasuring() {
      role.send({ type: 'measure' });
    },
    async stop(timeoutMs = 10_000) {
      const reply = role.next(timeoutMs, 'result');
      role.send({ type: 'stop' });
      try {
        const report = await reply;
        if (report.type !== 'result') throw new Error(`calm-document child: unexpected ${report.type}`);
        return { samples: report.samples, censored: report.censored };
      } finally {
        role.killLater();
      }
    },
    kill: () => role.kill(),
  };
}
