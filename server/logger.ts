/** Structured JSON logs (pino). Query strings are never logged whole: they may carry tokens. */
import { pino, type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from './config.js';

export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: 'tandem' },
    redact: { paths: ['token', '*.token', 'headers.authorization', 'headers.cookie'], censor: '[redacted]' },
  };
  return destination ? pino(options, destination) : pino(options);
}
