/**
 * SIGTERM/SIGINT for `tandem serve`: signals in, one graceful stop and an exit code out.
 *
 * The first signal starts the graceful stop (flush every document, close sockets with 1012).
 * A second one must not cut that short: Ctrl-C pressed twice, or a supervisor that repeats its
 * stop signal, would otherwise lose the edits still being written. It only logs that the server
 * is already stopping. A third one exits at once, for someone who really means it (the flush is
 * abandoned; what was acknowledged is stored already, the rest is lost).
 */
import type { Logger } from 'pino';

export interface ShutdownSignalOptions {
  logger: Logger;
  /** The graceful stop; rejects if some writes could not be stored. */
  stop: () => Promise<void>;
  /** Called once with the exit code: 0 after a clean stop, 1 otherwise. */
  exit: (code: number) => void;
}

const SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];

export function handleShutdownSignals(options: ShutdownSignalOptions): void {
  const { logger, stop, exit } = options;
  let received = 0;
  let exited = false;
  const exitOnce = (code: number): void => {
    if (exited) return;
    exited = true;
    exit(code);
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    received++;
    if (received === 1) {
      logger.info({ signal }, 'stopping');
      stop().then(
        () => exitOnce(0),
        () => exitOnce(1),
      );
    } else if (received === 2) {
      logger.warn({ signal }, 'already stopping: waiting for pending writes to be stored; a third signal exits at once and loses them');
    } else {
      logger.error({ signal }, 'third signal: exiting at once without finishing the flush');
      exitOnce(1);
    }
  };
  for (const signal of SIGNALS) process.on(signal, onSignal);
}
