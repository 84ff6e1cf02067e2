/**
 * What one connection, one document and the whole process may hold or send: message and buffer
 * sizes, connection counts, the pre-auth and pre-load queues, input rates, and how many refused
 * writes or presence changes are tolerated. Values come from the option table (all positive
 * integers); the cross-checks here keep a limit from undercutting another.
 */
import { ConfigError } from './config-error.js';
import type { ReadOption } from './read-serve-options.js';

export type LimitsConfig = Readonly<{
  maxMessageBytes: number;
  maxBufferedBytes: number;
  /** Unsent bytes of all connections together; beyond it the biggest holders are dropped (1013). */
  maxTotalBufferedBytes: number;
  maxConnections: number;
  maxConnectionsPerDoc: number;
  maxConnectionsPerIp: number;
  /** Upgrade requests waiting for their token to be verified (the pre-auth queue). */
  maxPendingUpgrades: number;
  /** What one connection may send before its document is loaded (the pre-load queue). */
  maxEarlyMessages: number;
  maxEarlyBytes: number;
  /** Per connection: sustained rates; bursts of twice as much (bytes: at least one max message). */
  messagesPerSecond: number;
  bytesPerSecond: number;
  awarenessPerSecond: number;
  /** A connection held back by the rate limits for this long without a break is closed (4429). */
  throttleCloseAfterMs: number;
  /** Document changes a read-only connection may attempt before it is closed (1008). */
  maxRefusedWrites: number;
  /** Bytes of one awareness state (a connection's presence JSON); larger ones close it (1009). */
  maxAwarenessStateBytes: number;
  /** Awareness client ids one connection may introduce (1008 beyond). */
  maxAwarenessIds: number;
  /** Awareness changes refused for another connection's ids before the connection is closed (1008). */
  maxRefusedAwareness: number;
  /** Per HTTP fallback session: recent downstream bytes kept so a dropped stream can resume. */
  httpReplayBytes: number;
}>;

export function parseLimitsConfig(read: ReadOption): LimitsConfig {
  return Object.freeze({
    maxMessageBytes: read('max-message-bytes') as number,
    maxBufferedBytes: read('max-buffered-bytes') as number,
    maxTotalBufferedBytes: read('max-total-buffered-bytes') as number,
    maxConnections: read('max-connections') as number,
    maxConnectionsPerDoc: read('max-connections-per-doc') as number,
    maxConnectionsPerIp: read('max-connections-per-ip') as number,
    maxPendingUpgrades: read('max-pending-upgrades') as number,
    maxEarlyMessages: read('max-early-messages') as number,
    maxEarlyBytes: read('max-early-bytes') as number,
    messagesPerSecond: read('max-messages-per-second') as number,
    bytesPerSecond: read('max-bytes-per-second') as number,
    awarenessPerSecond: read('max-awareness-per-second') as number,
    throttleCloseAfterMs: read('throttle-close-after-ms') as number,
    maxRefusedWrites: read('max-refused-writes') as number,
    maxAwarenessStateBytes: read('max-awareness-state-bytes') as number,
    maxAwarenessIds: read('max-awareness-ids') as number,
    maxRefusedAwareness: read('max-refused-awareness') as number,
    httpReplayBytes: read('http-replay-bytes') as number,
  });
}

/** A process-wide buffer cap below one connection's, or a pre-load queue too small for one message, could never work. */
export function checkLimits(limits: LimitsConfig): void {
  if (limits.maxTotalBufferedBytes < limits.maxBufferedBytes) {
    throw new ConfigError('invalid TANDEM_MAX_TOTAL_BUFFERED_BYTES / --max-total-buffered-bytes: must be at least --max-buffered-bytes');
  }
  if (limits.maxEarlyBytes < limits.maxMessageBytes) {
    throw new ConfigError('invalid TANDEM_MAX_EARLY_BYTES / --max-early-bytes: must be at least --max-message-bytes');
  }
}
