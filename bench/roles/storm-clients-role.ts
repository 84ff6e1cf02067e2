/**
 * Parent side of the join-storm clients (storm-clients.ts): the 200 clients open the document in
 * a fresh process of their own for every server. In the harness process, whichever server ran
 * first paid for growing that process's heap to the storm's gigabyte (the server that followed
 * then looked faster), and the earlier scenarios' garbage was still there.
 */
import { fileURLToPath } from 'node:url';
import type { ServerKind } from '../servers/server-process.js';
import { forkRole } from './child-role.js';

export interface StormOptions {
  kind: ServerKind;
  wsUrl: string;
  docName: string;
  saveAck: boolean;
  clients: number;
  /** Every client must end up with `generateText(bytes)` (deterministic). */
  bytes: number;
  timeoutMs: number;
}

export type StormCommand = { type: 'go' };

export type StormReport =
  | { type: 'ready' }
  | {
      type: 'result';
      /** Epoch ms of the first connect and of the last client's completion (null: timed out). */
      startedAt: number;
      completedAt: number | null;
      complete: number;
      /** Clients that reported "synced" with less than the full text. */
      early: number;
      /** Every complete client holds exactly the expected text. */
      correct: boolean;
      clientLoadShare: number;
    }
  | { type: 'error'; message: string };

export type StormResult = Omit<Extract<StormReport, { type: 'result' }>, 'type'>;

const SCRIPT = fileURLToPath(new URL('./storm-clients.ts', import.meta.url));

/** Starts the client process (nothing connects yet), then opens every client at once. */
export async function runStormClients(options: StormOptions): Promise<StormResult> {
  const role = await forkRole<StormCommand, StormReport>(SCRIPT, options, 'storm-clients');
  try {
    const reply = role.next(options.timeoutMs + 30_000, 'result');
    role.send({ type: 'go' });
    const report = await reply;
    if (report.type !== 'result') throw new Error(`storm-clients child: unexpected ${report.type}`);
    const { type: _type, ...result } = report;
    return result;
  } finally {
    role.killLater();
  }
}
