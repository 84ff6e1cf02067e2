/**
 * Child process: on "go", opens every client of the join storm at once and reports when all
 * hold the full text. Driven over IPC, see storm-clients-role.ts.
 */
import { performance } from 'node:perf_hooks';
import { connectBenchClient, type BenchClient } from '../clients/bench-client.js';
import { generateText } from '../lib/typing.js';
import { waitUntil } from '../lib/wait.js';
import { epochNow, reportToParent, runRole } from './child-role.js';
import type { StormCommand, StormOptions, StormReport } from './storm-clients-role.js';

function send(report: StormReport): void {
  reportToParent(report);
}

async function main(options: StormOptions): Promise<void> {
  const content = generateText(options.bytes);
  await new Promise<StormCommand>((resolve) => {
    process.once('message', resolve);
    send({ type: 'ready' });
  });
  const eluBefore = performance.eventLoopUtilization();
  const startedAt = epochNow();
  const clients: BenchClient[] = Array.from({ length: options.clients }, () =>
    connectBenchClient(options.kind, options.wsUrl, options.docName, { saveAck: options.saveAck }),
  );
  const done = (): number => clients.reduce((n, c) => n + (c.text.length === options.bytes ? 1 : 0), 0);
  const allDone = await waitUntil(() => done() === clients.length, { timeoutMs: options.timeoutMs, intervalMs: 5 });
  const completedAt = allDone ? epochNow() : null;
  // Near 100 % means the clients (this process, the same for every server) set the pace.
  const clientLoadShare = performance.eventLoopUtilization(eluBefore).utilization;
  const finished = clients.filter((c) => c.text.length === options.bytes);
  send({
    type: 'result',
    startedAt,
    completedAt,
    complete: finished.length,
    early: clients.filter((c) => c.lengthAtSync !== null && c.lengthAtSync < options.bytes).length,
    correct: finished.every((c) => c.text.toString() === content),
    clientLoadShare,
  });
  for (const client of clients) client.destroy();
  process.disconnect();
}

runRole(main);
