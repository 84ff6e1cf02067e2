/**
 * "Done" for a writer: for Tandem, every update-bearing message it sent is covered by a saved
 * acknowledgement; for Hocuspocus, the server confirmed applying every change; for
 * @y/websocket-server there is no signal, so it is done at once.
 */
import type { BenchClient } from '../clients/bench-client.js';
import { waitUntil } from './wait.js';

export function isDurable(client: BenchClient, usesSaveAck: boolean): boolean {
  if (usesSaveAck) return client.savedCount >= client.updatesSent;
  return client.unconfirmed === 0;
}

/** Waits (bounded) until every writer is done; returns ms waited, or null on timeout. */
export async function waitDurable(
  writers: readonly BenchClient[],
  usesSaveAck: boolean,
  timeoutMs: number,
): Promise<number | null> {
  const start = performance.now();
  const ok = await waitUntil(() => writers.every((w) => isDurable(w, usesSaveAck)), { timeoutMs, intervalMs: 5 });
  return ok ? performance.now() - start : null;
}
