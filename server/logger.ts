/** Structured JSON logs (pino). Query strings are never logged whole: they may carry tokens. */
import { pino, type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from './config.js';
import { teeRecentErrors, type RecentErrors } from './ops/recent-errors.js';

/**
 * `destination` defaults to stdout, written synchronously as pino's default is (a line logged
 * just before an exit is not lost); with `recentErrors`, warn and error lines are also kept there
 * for the admin overview (ops/recent-errors.ts).
 */
export function createLogger(level: LogLevel, destination?: DestinationStream, recentErrors?: RecentErrors): Logger {
  const options = {
    level,
    base: { service: 'tandem' },
    redact: { paths: ['token', '*.token', 'headers.authorization', 'headers.cookie'], censor: '[redacted]' },
  };
  if (recentErrors) return pino(options, teeRecentErrors(destination ?? pino.destination({ dest: 1, sync: true }), recentErrors));
  return destination ? pino(options, destination) : pino(options);
}
