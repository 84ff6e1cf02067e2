/**
 * Bad messages from the bus (another version of Tandem, a foreign publisher on a shared Redis, a
 * bug) are dropped, never thrown: one warning per interval, then how many were suppressed, so a
 * stream of garbage cannot flood the log or take the member down.
 */
import type { Logger } from 'pino';

export interface MalformedLog {
  report(context: Record<string, unknown>, reason: string): void;
  /** Messages reported since start, logged or not (for tests and metrics). */
  readonly count: number;
}

export function createMalformedLog(options: { logger: Pick<Logger, 'warn'>; intervalMs?: number; now?: () => number }): MalformedLog {
  const intervalMs = options.intervalMs ?? 10_000;
  const now = options.now ?? Date.now;
  let count = 0;
  let lastLoggedAt = -Infinity;
  let suppressed = 0;
  return {
    get count() {
      return count;
    },
    report(context, reason) {
      count++;
      const at = now();
      if (at - lastLoggedAt < intervalMs) {
        suppressed++;
        return;
      }
      lastLoggedAt = at;
      options.logger.warn({ ...context, reason, suppressedSinceLast: suppressed }, 'cluster: dropped a bad message from the bus');
      suppressed = 0;
    },
  };
}
