/**
 * Child process: a share of a hot document's clients. On "connect" they open (a bounded number
 * of handshakes in flight) and sync; on "go" each publishes a cursor move (an awareness update
 * whose state carries its send time) once a second, at a phase spread over the second by its index
 * among all clients of the document; on "finish" the readers' edit arrivals are turned into
 * latencies against the writer's send times (and lost edits), and the observers' awareness
 * delivery samples are sent back. Driven over IPC, see hot-doc-readers-role.ts.
 */
import { setPriority } from 'node:os';
import { performance } from 'node:perf_hooks';
import { connectBenchClient, type BenchClient } from '../clients/bench-client.js';
import { sleep, waitUntil } from '../lib/wait.js';
import { epochNow, reportToParent, runRole } from './child-role.js';
import type { HotDocCommand, HotDocReaderOptions, HotDocReport } from './hot-doc-readers-role.js';

const IN_FLIGHT = 50;
const PUBLISH_PERIOD_MS = 1_000;
const TICK_MS = 5;

type Go = Extract<HotDocCommand, { type: 'go' }>;
type Finish = Extract<HotDocCommand, { type: 'finish' }>;

function send(report: HotDocReport): void {
  reportToParent(report);
}

function nextCommand<T extends HotDocCommand['type']>(type: T): Promise<Extract<HotDocCommand, { type: T }>> {
  return new Promise((resolve) => {
    const onMessage = (command: HotDocCommand): void => {
      if (command.type !== type) return;
      process.off('message', onMessage);
      resolve(command as Extract<HotDocCommand, { type: T }>);
    };
    process.on('message', onMessage);
  });
}

async function connectAll(options: HotDocReaderOptions, timeoutMs: number): Promise<BenchClient[]> {
  const clients: BenchClient[] = [];
  const deadline = performance.now() + timeoutMs;
  const synced = (): number => clients.reduce((n, c) => n + (c.isSynced ? 1 : 0), 0);
  while (performance.now() < deadline && synced() < options.clients) {
    while (clients.length < options.clients && clients.length - synced() < IN_FLIGHT) {
      clients.push(connectBenchClient(options.kind, options.wsUrl, options.docName, { saveAck: options.saveAck }));
    }
    await sleep(5);
  }
  return clients;
}

/** Every reader's arrival time (epoch ms) of each edit, by edit index from `go` on. */
function recordArrivals(clients: readonly BenchClient[]): number[][] {
  return clients.map((client) => {
    const base = client.text.length;
    const arrivals: number[] = [];
    client.text.observe(() => {
      const now = epochNow();
      for (let reached = client.text.length - base; arrivals.length < reached; ) arrivals.push(now);
    });
    return arrivals;
  });
}

/** Samples delivery of cursor states sent in the measured window, at the given observers. */
function sampleAwareness(observers: readonly BenchClient[], go: Go): number[] {
  const samples: number[] = [];
  for (const client of observers) {
    client.awareness.on('change', ({ added, updated }: { added: number[]; updated: number[] }, origin: unknown) => {
      if (origin === 'local') return;
      const now = epochNow();
      const states = client.awareness.getStates();
      for (const id of [...added, ...updated]) {
        const at = (states.get(id)?.cursor as { at?: unknown } | undefined)?.at;
        if (typeof at === 'number' && at >= go.measureFrom && at < go.endAt) samples.push(now - at);
      }
    });
  }
  return samples;
}

/** Publishes every client's cursor once a period at its phase, until `endAt`. */
async function publishCursors(clients: readonly BenchClient[], options: HotDocReaderOptions, go: Go, isFinished: () => boolean): Promise<void> {
  const phaseOf = (k: number): number => ((options.firstIndex + k) / options.total) * PUBLISH_PERIOD_MS;
  let round = 0;
  let next = 0;
  let seq = 0;
  while (!isFinished()) {
    const now = epochNow();
    if (now >= go.endAt) return;
    while (go.startAt + round * PUBLISH_PERIOD_MS + phaseOf(next) <= now) {
      clients[next]!.awareness.setLocalStateField('cursor', { at: epochNow(), seq: seq++ });
      next++;
      if (next === clients.length) {
        next = 0;
        round++;
      }
    }
    await sleep(TICK_MS);
  }
}

function editLatencies(arrivals: readonly number[][], finish: Finish, endedAt: number): { samples: number[]; lost: number } {
  const samples: number[] = [];
  let lost = 0;
  for (const reader of arrivals) {
    for (let i = 0; i < finish.sentAt.length; i++) {
      const arrived = reader[i];
      if (arrived === undefined) lost++;
      if (i >= finish.warmup) samples.push((arrived ?? endedAt) - finish.sentAt[i]!);
    }
  }
  return { samples, lost };
}

/**
 * Nice value of a process of load readers (no observers). They stand in for hundreds of other
 * machines, and at 1,000 clients they are saturated: at the same priority the server and the
 * measuring readers waited for timeslices behind them on two cores, latency the harness added.
 * The same for every server.
 */
const LOAD_READERS_NICE = 10;

async function main(options: HotDocReaderOptions): Promise<void> {
  if (options.observers === 0) setPriority(LOAD_READERS_NICE);
  const connect = nextCommand('connect');
  send({ type: 'ready' });
  const { timeoutMs } = await connect;
  const clients = await connectAll(options, timeoutMs);
  const go = nextCommand('go');
  send({ type: 'connected', synced: clients.filter((c) => c.isSynced).length });
  const started = await go;
  const eluBefore = performance.eventLoopUtilization();
  const arrivals = recordArrivals(clients);
  const awarenessSamples = sampleAwareness(clients.slice(0, options.observers), started);
  let finished = false;
  const finishing = nextCommand('finish').then((command) => {
    finished = true;
    return command;
  });
  await publishCursors(clients, options, started, () => finished);
  const finish = await finishing;
  await waitUntil(() => arrivals.every((reader) => reader.length >= finish.sentAt.length), { timeoutMs: finish.waitMs, intervalMs: 20 });
  const clientLoadShare = performance.eventLoopUtilization(eluBefore).utilization;
  const { samples, lost } = editLatencies(arrivals, finish, epochNow());
  for (const client of clients) client.destroy();
  // Only the measuring process's samples are used; a load process's would only fill the pipe.
  const result: HotDocReport = { type: 'result', editSamples: options.observers > 0 ? samples : [], lost, awarenessSamples, clientLoadShare };
  // Disconnecting before a large report is written would drop it: wait for it to leave.
  process.send?.(result, () => process.disconnect());
}

// Every y-websocket provider adds a process 'exit' listener; hundreds of clients are intended.
process.setMaxListeners(0);

runRole(main);
