/**
 * One document's paced typing: its clients take turns typing one character at a fixed rate,
 * whatever the server does, so every setup is measured under the same offered load (a closed
 * loop's rate follows latency, and CPU per edit at 3,000 edits/s is not comparable with CPU per
 * edit at 1,000). After `stopAt`, waits until every client has every keystroke; a keystroke
 * missing at some client `stallMs` after the last one rejects, naming the clients behind.
 */
import type { BenchClient } from '../clients/bench-client.js';

export interface PacedLoopOptions {
  /** Keystrokes per second in this document. */
  ratePerSecond: number;
  /** performance.now() after which no new keystroke is started. */
  stopAt: number;
  stallMs: number;
  /** For the error message, e.g. the document name. */
  name: string;
}

/** Resolves with the number of keystrokes typed (all of which reached every client). */
export function runPacedLoop(clients: readonly BenchClient[], options: PacedLoopOptions): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = clients[0]!.text.length;
    let edits = 0;
    const intervalMs = 1000 / options.ratePerSecond;
    const began = performance.now();
    let timer: NodeJS.Timeout | null = null;
    const type = (): void => {
      // Catch up on missed ticks (timers drift under load) so the offered rate stays as asked.
      const due = Math.floor((Math.min(performance.now(), options.stopAt) - began) / intervalMs) + 1;
      while (edits < due) {
        const writer = clients[edits % clients.length]!;
        writer.text.insert(writer.text.length, 'x');
        edits += 1;
      }
      if (performance.now() < options.stopAt) {
        timer = setTimeout(type, Math.max(0, began + edits * intervalMs - performance.now()));
        return;
      }
      timer = null;
      const deadline = performance.now() + options.stallMs;
      const check = setInterval(() => {
        const behind = clients.map((client, i) => (client.text.length === start + edits ? null : i)).filter((i) => i !== null);
        if (behind.length === 0) {
          clearInterval(check);
          resolve(edits);
        } else if (performance.now() > deadline) {
          clearInterval(check);
          reject(new Error(`${options.name}: ${edits} paced keystrokes had not reached clients ${behind.join(', ')} ${options.stallMs} ms after the last`));
        }
      }, 20);
    };
    timer = setTimeout(type, 0);
    void timer;
  });
}
