/**
 * Hot document: N clients in one document (an all-hands agenda, a classroom, an incident doc).
 * Every client publishes a cursor move (an awareness update carrying its send time) once a
 * second, spread over the second by its index, and one writer types a character every 50 ms.
 * The N − 1 readers live in helper processes (hot-doc-readers.ts) so the harness is not one event
 * loop applying N² cursor states a second: 8 measuring readers in a process of their own (their
 * latencies are not the backlog of hundreds of other providers), the rest ≤ 250 per process.
 * The writer is in this process.
 *
 * Reported per N: edit write→receive p50/p99 at the measuring readers (edits still missing 5 s
 * after the last write are sampled at their age then), lost edits over every reader, awareness
 * delivery p50/p99 (send time inside the state → a measuring reader's 'change' event, delivered
 * states only), and the server's CPU (share of one core, /proc), peak RSS and bytes written per
 * second (`wchar`: sockets, plus the store's small writes) over the measured window. Bounded:
 * each step has a deadline, and the run stops by itself.
 */
import { connectMany } from '../lib/connect-many.js';
import { summarize } from '../lib/percentiles.js';
import { readCpuSeconds, readWrittenBytes, trackPeakRss } from '../lib/proc-stats.js';
import { sleep } from '../lib/wait.js';
import { epochNow } from '../roles/child-role.js';
import { startHotDocReaders, type HotDocReaders, type HotDocResult } from '../roles/hot-doc-readers-role.js';
import type { Metric, Scenario, ScenarioContext } from './scenario.js';

const EDIT_INTERVAL_MS = 50;
const CLIENTS_PER_PROCESS = 250;
const MEASURING_READERS = 8;
/** Cursors and edits run this long before measuring: JIT, first allocations, the join's echoes. */
const WARMUP_MS = 2_000;
const CONNECT_TIMEOUT_MS = 90_000;
const DRAIN_MS = 5_000;

/** Every row a size reports: label and unit, by id. */
const HOT_DOC_ROWS = {
  editP50: ['edit fan-out p50', 'ms'],
  editP99: ['edit fan-out p99', 'ms'],
  awarenessP50: ['awareness delivery p50', 'ms'],
  awarenessP99: ['awareness delivery p99', 'ms'],
  lost: ['lost edits (reader × edit)', 'count'],
  cpu: ['server CPU', '% of a core'],
  rss: ['server peak RSS', 'MB'],
  sent: ['server bytes written per second', 'MB/s'],
} as const;
type HotDocRow = keyof typeof HOT_DOC_ROWS;

function hotDocMetric(clientCount: number, id: HotDocRow, value: number | null, note?: string): Metric {
  const [label, unit] = HOT_DOC_ROWS[id];
  return {
    id: `hotdoc${clientCount}.${id}`,
    label: `hot doc, ${clientCount.toLocaleString('en-US')} clients: ${label}`,
    unit,
    better: 'lower',
    value,
    ...(note ? { note } : {}),
  };
}

/** Every row of a size as not measured, with the reason. */
function notMeasured(clientCount: number, note: string): Metric[] {
  return (Object.keys(HOT_DOC_ROWS) as HotDocRow[]).map((id) => hotDocMetric(clientCount, id, null, note));
}

async function runHotDoc(ctx: ScenarioContext, clientCount: number, durationMs: number): Promise<Metric[]> {
  const key = `hotdoc${clientCount}`;
  const metric = (id: HotDocRow, value: number | null, note?: string): Metric => hotDocMetric(clientCount, id, value, note);
  const server = await ctx.startServer();
  const docName = 'hot-doc';
  const opened = await connectMany(ctx, server, [docName], { timeoutMs: 30_000 });
  if (opened.openMs === null) throw new Error('the writer did not sync within 30 s');
  const writer = opened.clients[0]!;
  const readerCount = clientCount - 1;
  const measuring = Math.min(MEASURING_READERS, readerCount);
  const loadProcesses = Math.ceil((readerCount - measuring) / CLIENTS_PER_PROCESS);
  const processes = 1 + loadProcesses;
  const helpers: HotDocReaders[] = [];
  try {
    for (let p = 0, first = 1; p < processes; p++) {
      // Process 0 measures; the others share the remaining readers evenly.
      const clients = p === 0 ? measuring : Math.ceil((readerCount - (first - 1)) / (processes - p));
      helpers.push(
        await startHotDocReaders({
          kind: ctx.launcher.kind,
          wsUrl: server.wsUrl,
          docName,
          saveAck: ctx.launcher.usesSaveAck,
          clients,
          firstIndex: first,
          total: clientCount,
          observers: p === 0 ? clients : 0,
        }),
      );
      first += clients;
    }
    const joinStart = performance.now();
    const synced = (await Promise.all(helpers.map((h) => h.connect(CONNECT_TIMEOUT_MS)))).reduce((a, b) => a + b, 0);
    const joinMs = performance.now() - joinStart;
    if (synced < readerCount) {
      const note = `only ${synced}/${readerCount} readers synced within ${CONNECT_TIMEOUT_MS / 1000} s`;
      return notMeasured(clientCount, note);
    }
    ctx.log(`${key}: ${clientCount} clients synced in ${(joinMs / 1000).toFixed(1)} s (writer here, readers in ${processes} helper processes)`);
    // The join's presence storm settles before anything is measured.
    await sleep(2_000);

    const startAt = epochNow() + 200;
    const measureFrom = startAt + WARMUP_MS;
    const endAt = measureFrom + durationMs;
    for (const helper of helpers) helper.go({ startAt, measureFrom, endAt });
    const rss = trackPeakRss(server.pid, 250);
    const sentAt: number[] = [];
    let warmup = 0;
    let before: { cpu: number; bytes: number; at: number } | null = null;
    let cursorRound = 0;
    for (let i = 0; ; i++) {
      const due = startAt + i * EDIT_INTERVAL_MS;
      if (due >= endAt) break;
      const wait = due - epochNow();
      if (wait > 0) await sleep(wait);
      if (before === null && epochNow() >= measureFrom) {
        warmup = i;
        before = { cpu: readCpuSeconds(server.pid), bytes: readWrittenBytes(server.pid), at: performance.now() };
      }
      // The writer is client 0: its cursor moves at phase 0 of every second.
      if (due >= startAt + cursorRound * 1_000) {
        writer.awareness.setLocalStateField('cursor', { at: epochNow(), seq: cursorRound++ });
      }
      sentAt.push(epochNow());
      writer.text.insert(writer.text.length, 'x');
    }
    const seconds = (performance.now() - before!.at) / 1000;
    const cpuShare = (readCpuSeconds(server.pid) - before!.cpu) / seconds;
    const bytesPerSecond = (readWrittenBytes(server.pid) - before!.bytes) / seconds;
    const results: HotDocResult[] = await Promise.all(helpers.map((h) => h.finish(sentAt, warmup, DRAIN_MS)));
    const peakRss = rss.peak();
    rss.stop();

    const edits = summarize(results[0]!.editSamples);
    const awareness = summarize(results[0]!.awarenessSamples);
    const lost = results.reduce((n, r) => n + r.lost, 0);
    const clientLoad = Math.max(...results.map((r) => r.clientLoadShare));
    // Near 100 %: the measuring process's event loop was full, and latencies include its backlog.
    const measuringLoad = results[0]!.clientLoadShare;
    const loadNote = measuringLoad > 0.9 ? `the measuring readers' process was ${(measuringLoad * 100).toFixed(0)} % busy: latencies include its backlog` : undefined;
    ctx.log(
      `${key}: ${sentAt.length} edits, edit p50/p99 ${edits.p50.toFixed(1)}/${edits.p99.toFixed(1)} ms, awareness p50/p99 ` +
        `${awareness.p50.toFixed(0)}/${awareness.p99.toFixed(0)} ms (${awareness.count} samples), server ${(cpuShare * 100).toFixed(0)} % of a core, ` +
        `${(bytesPerSecond / 2 ** 20).toFixed(1)} MB/s written, measuring helper ${(measuringLoad * 100).toFixed(0)} % busy, busiest helper ${(clientLoad * 100).toFixed(0)} %`,
    );
    return [
      metric('editP50', edits.p50, loadNote),
      metric('editP99', edits.p99, loadNote),
      metric('awarenessP50', awareness.count ? awareness.p50 : null, awareness.count ? undefined : 'no cursor state delivered'),
      metric('awarenessP99', awareness.count ? awareness.p99 : null),
      metric('lost', lost, lost > 0 && clientLoad > 0.9 ? `the busiest helper process was ${(clientLoad * 100).toFixed(0)} % busy: missing edits may still be queued in it` : undefined),
      metric('cpu', cpuShare * 100),
      metric('rss', peakRss / 2 ** 20),
      metric('sent', bytesPerSecond / 2 ** 20),
    ];
  } finally {
    for (const helper of helpers) helper.kill();
    ctx.disconnect(opened.clients);
    await server.stop(10_000);
  }
}

export const hotDocScenario: Scenario = {
  id: 'hot-doc',
  title: 'Hot document: N clients moving cursors once a second, one writer at 20 Hz',
  group: 'single',
  async run(ctx) {
    const sizes = ctx.clientCounts ?? (ctx.quick ? [50, 100] : [250, 500, 1_000]);
    const durationMs = ctx.quick ? 4_000 : 10_000;
    const metrics: Metric[] = [];
    for (const size of sizes) {
      // One size that cannot be measured (a reference relay drowning its readers) leaves the others.
      try {
        metrics.push(...(await runHotDoc(ctx, size, durationMs)));
      } catch (error) {
        const note = `not measured: ${error instanceof Error ? error.message : String(error)}`;
        ctx.log(`hotdoc${size}: ${note}`);
        metrics.push(...notMeasured(size, note));
      }
    }
    return metrics;
  },
};
