/**
 * Opens many clients with a bounded number of handshakes in flight (servers listen with a
 * 511-connection backlog; beyond it the kernel drops SYNs and retries after a second, which
 * would measure TCP, not the server), and reports how long until all are synced.
 */
import type { BenchClient } from '../clients/bench-client.js';
import type { ScenarioContext } from '../scenarios/scenario.js';
import type { ServerHandle } from '../servers/server-process.js';
import { sleep } from './wait.js';

export interface OpenResult {
  clients: BenchClient[];
  /** ms from the first connect until every client was synced, or null on timeout. */
  openMs: number | null;
  synced: number;
}

export function connectMany(
  ctx: ScenarioContext,
  server: ServerHandle,
  docNames: readonly string[],
  options: { inFlight?: number; timeoutMs: number },
): Promise<OpenResult> {
  return connectPlaced(
    ctx,
    docNames.map((docName) => ({ server, docName })),
    options,
  );
}

/** Like connectMany, each client to a server of its own (cluster members). */
export async function connectPlaced(
  ctx: ScenarioContext,
  placements: readonly { server: ServerHandle; docName: string }[],
  options: { inFlight?: number; timeoutMs: number },
): Promise<OpenResult> {
  const inFlight = options.inFlight ?? 250;
  const clients: BenchClient[] = [];
  const start = performance.now();
  const deadline = start + options.timeoutMs;
  let next = 0;
  const countSynced = (): number => clients.reduce((n, c) => n + (c.isSynced ? 1 : 0), 0);
  let synced = 0;
  while (performance.now() < deadline) {
    synced = countSynced();
    if (synced === placements.length) return { clients, openMs: performance.now() - start, synced };
    while (next < placements.length && clients.length - synced < inFlight) {
      const { server, docName } = placements[next]!;
      clients.push(ctx.connect(server, docName));
      next += 1;
    }
    await sleep(next < placements.length ? 1 : 5);
  }
  return { clients, openMs: null, synced: countSynced() };
}
