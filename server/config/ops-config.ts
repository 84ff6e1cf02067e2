/**
 * Operations settings: the optional separate metrics listener. With --metrics-port, `/metrics` is
 * also served there without a token (meant for a private network or loopback that only the
 * scraper reaches); without it, `/metrics` on the main port needs the admin token.
 */
import { ConfigError } from './config-error.js';
import { readOptional, type ReadOption } from './read-serve-options.js';

export interface OpsConfig {
  /** Where the token-free metrics listener binds, or null for none. */
  readonly metricsListener: Readonly<{ host: string; port: number }> | null;
}

export function parseOpsConfig(read: ReadOption): OpsConfig {
  const host = readOptional(read, 'metrics-host') ?? '127.0.0.1';
  const rawPort = readOptional(read, 'metrics-port');
  if (rawPort === null) return { metricsListener: null };
  const port = /^\d+$/.test(rawPort) ? Number(rawPort) : Number.NaN;
  if (!Number.isInteger(port) || port > 65535) {
    throw new ConfigError(`invalid TANDEM_METRICS_PORT / --metrics-port: ${JSON.stringify(rawPort)} is not a port number (0-65535)`);
  }
  return { metricsListener: Object.freeze({ host, port }) };
}
