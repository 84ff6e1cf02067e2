/**
 * One document's closed typing loop: its clients take turns typing one character, and the next
 * keystroke goes out once every client has the previous one, so the rate adapts to the server.
 * A keystroke that has not reached every client within `stallMs` rejects the loop: a server that
 * stops relaying (or a cluster whose members do not exchange edits) fails instead of reporting
 * the handful of edits it managed as a rate.
 */
import type { BenchClient } from '../clients/bench-client.js';

export interface ClosedLoopOptions {
  /** performance.now() after which no new keystroke is started. */
  stopAt: number;
  stallMs: number;
  /** For the error message, e.g. the document name. */
  name: string;
}

/** Resolves with the number of keystrokes that reached every client. */
export function runClosedLoop(clients: readonly BenchClient[], options: ClosedLoopOptions): Promise<number> {
  return new Promise((resolve, reject) => {
    let edits = 0;
    let target = clients[0]!.text.length;
    let reached = 0;
    let sentAt = performance.now();
    const observers = clients.map((client) => {
      const observer = (): void => {
        if (client.text.length === target) {
          reached += 1;
          // The writer's own insert fires its observer synchronously inside next(); defer the
          // following keystroke so it is a new turn, like a real keypress.
          if (reached === clients.length) setImmediate(next);
        }
      };
      client.text.observe(observer);
      return observer;
    });
    const finish = (): void => {
      clearInterval(watchdog);
      clients.forEach((client, i) => client.text.unobserve(observers[i]!));
    };
    const watchdog = setInterval(() => {
      if (reached < clients.length && performance.now() - sentAt > options.stallMs) {
        finish();
        const behind = clients.map((client, i) => (client.text.length === target ? null : i)).filter((i) => i !== null);
        reject(new Error(`${options.name}: keystroke ${edits} reached ${reached}/${clients.length} clients within ${options.stallMs} ms (missing at clients ${behind.join(', ')})`));
      }
    }, Math.min(1_000, options.stallMs));
    const next = (): void => {
      if (performance.now() >= options.stopAt) {
        finish();
        resolve(edits);
        return;
      }
      target += 1;
      reached = 0;
      sentAt = performance.now();
      const writer = clients[edits % clients.length]!;
      edits += 1;
      writer.text.insert(writer.text.length, 'x');
    };
    next();
  });
}
