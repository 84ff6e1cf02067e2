/**
 * Parent side of the flood observer child process (flood-observer.ts): a client of the flooded
 * document in a process of its own, so that applying the flood does not compete with generating
 * it for one event loop (the flood's rate would otherwise be the client's, not the server's).
 * Times are epoch milliseconds (`epochNow`), comparable between the two processes.
 */
import { fileURLToPath } from 'node:url';
import type { ServerKind } from '../servers/server-process.js';
import { forkRole } from './child-role.js';

export interface ObserverOptions {
  kind: ServerKind;
  wsUrl: string;
  docName: string;
  saveAck: boolean;
}

export type ObserverCommand = { type: 'watch'; length: number; timeoutMs: number };

export type ObserverReport =
  | { type: 'ready' }
  | { type: 'result'; received: number; completedAt: number | null }
  | { type: 'error'; message: string };

export interface FloodObserver {
  /** Resolves once the document holds `length` characters (completedAt set) or after `timeoutMs`. */
  watch(length: number, timeoutMs: number): Promise<{ received: number; completedAt: number | null }>;
  kill(): void;
}

const SCRIPT = fileURLToPath(new URL('./flood-observer.ts', import.meta.url));

export async function startFloodObserver(options: ObserverOptions): Promise<FloodObserver> {
  const role = await forkRole<ObserverCommand, ObserverReport>(SCRIPT, options, 'flood-observer');
  return {
    async watch(length, timeoutMs) {
      const reply = role.next(timeoutMs + 10_000, 'result');
      role.send({ type: 'watch', length, timeoutMs });
      try {
        const report = await reply;
        if (report.type !== 'result') throw new Error(`flood-observer child: unexpected ${report.type}`);
        return { received: report.received, completedAt: report.completedAt };
      } finally {
        role.killLater();
      }
    },
    kill: () => role.kill(),
  };
}
