/**
 * Parent side of a hot-doc reader process (hot-doc-readers.ts): a share of a hot document's
 * clients in a process of their own, so that a thousand providers applying every cursor move do
 * not all compete for the harness's one event loop. Times are epoch milliseconds (`epochNow`),
 * comparable between processes.
 */
import { fileURLToPath } from 'node:url';
import type { ServerKind } from '../servers/server-process.js';
import { forkRole } from './child-role.js';

export interface HotDocReaderOptions {
  kind: ServerKind;
  wsUrl: string;
  docName: string;
  saveAck: boolean;
  /** Clients in this process. */
  clients: number;
  /** Index of this process's first client among all `total` clients of the document. */
  firstIndex: number;
  total: number;
  /** How many of this process's clients sample awareness delivery (every state they receive). */
  observers: number;
}

export type HotDocCommand =
  | { type: 'connect'; timeoutMs: number }
  /** Publish cursors from startAt until endAt; awareness samples are for states sent from measureFrom on. */
  | { type: 'go'; startAt: number; measureFrom: number; endAt: number }
  /** The writer's send times (epoch ms) of every edit; the first `warmup` are not sampled. */
  | { type: 'finish'; sentAt: number[]; warmup: number; waitMs: number };

export type HotDocReport =
  | { type: 'ready' }
  | { type: 'connected'; synced: number }
  | {
      type: 'result';
      /** write→receive of measured edits; edits never received are sampled at their age at the end. */
      editSamples: number[];
      /** Reader × edit pairs still missing at the end, warm-up edits included. */
      lost: number;
      awarenessSamples: number[];
      /** Share of the time this process's event loop was busy between go and finish. */
      clientLoadShare: number;
    }
  | { type: 'error'; message: string };

export type HotDocResult = Omit<Extract<HotDocReport, { type: 'result' }>, 'type'>;

export interface HotDocReaders {
  connect(timeoutMs: number): Promise<number>;
  go(command: Omit<Extract<HotDocCommand, { type: 'go' }>, 'type'>): void;
  finish(sentAt: number[], warmup: number, waitMs: number): Promise<HotDocResult>;
  kill(): void;
}

const SCRIPT = fileURLToPath(new URL('./hot-doc-readers.ts', import.meta.url));

export async function startHotDocReaders(options: HotDocReaderOptions): Promise<HotDocReaders> {
  const role = await forkRole<HotDocCommand, HotDocReport>(SCRIPT, options, 'hot-doc-readers');
  return {
    async connect(timeoutMs) {
      const reply = role.next(timeoutMs + 10_000, 'connected');
      role.send({ type: 'connect', timeoutMs });
      const report = await reply;
      if (report.type !== 'connected') throw new Error(`hot-doc-readers child: unexpected ${report.type}`);
      return report.synced;
    },
    go(command) {
      role.send({ type: 'go', ...command });
    },
    async finish(sentAt, warmup, waitMs) {
      const reply = role.next(waitMs + 30_000, 'result');
      role.send({ type: 'finish', sentAt, warmup, waitMs });
      try {
        const report = await reply;
        if (report.type !== 'result') throw new Error(`hot-doc-readers child: unexpected ${report.type}`);
        const { type: _type, ...result } = report;
        return result;
      } finally {
        role.killLater();
      }
    },
    kill: () => role.kill(),
  };
}
