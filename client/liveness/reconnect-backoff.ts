/**
 * Reconnection delays with jitter for y-websocket's provider, without forking it.
 *
 * y-websocket v3 waits `min(2^n × 100 ms, maxBackoffTime)` after the n-th unsuccessful
 * connection (n resets once a connection synced), with no jitter: after a server restart every
 * client comes back in the same few milliseconds. The provider reads `maxBackoffTime` at the
 * moment a socket closes, right after it emitted 'connection-close'; so a 'connection-close'
 * listener that sets `maxBackoffTime` to a jittered delay, never above the provider's own
 * `2^n × 100 ms`, chooses the delay the provider then waits.
 */
import type { WebsocketProvider } from 'y-websocket';

export interface BackoffOptions {
  /** Longest wait between attempts. @default 10000 */
  capMs?: number;
  /** Random number in [0, 1) (tests pass their own). @default Math.random */
  random?: () => number;
}

export const DEFAULT_BACKOFF_CAP_MS = 10_000;

/**
 * The wait before attempt `attempt` (1 = first retry): exponential from 200 ms up to the cap,
 * with "equal jitter": a random point in the upper half, so no client retries at once and the
 * spread grows with the wait.
 */
export function backoffDelayMs(attempt: number, { capMs = DEFAULT_BACKOFF_CAP_MS, random = Math.random }: BackoffOptions = {}): number {
  const base = Math.min(2 ** Math.max(1, attempt) * 100, capMs);
  return Math.round(base / 2 + (random() * base) / 2);
}

/** Makes the provider wait `backoffDelayMs` after each closed connection; returns the uninstaller. */
export function jitterReconnects(provider: WebsocketProvider, options: BackoffOptions = {}): () => void {
  const onClose = (): void => {
    // The provider counts this close after this listener, then waits min(2^n × 100, maxBackoffTime).
    provider.maxBackoffTime = backoffDelayMs(provider.wsUnsuccessfulReconnects + 1, options);
  };
  provider.on('connection-close', onClose);
  return () => provider.off('connection-close', onClose);
}
