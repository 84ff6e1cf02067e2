/**
 * Fan-out latency: N clients in one document, one of them types a character every 20 ms; every
 * other client records when each keystroke arrives. Reports p50/p99 write→receive latency, lost
 * deliveries (receiver × edit pairs still missing 5 s after the last write) and the server's
 * peak RSS. Tandem's writer also waits for its saved acknowledgements (they are honoured, not
 * skipped), and the time to the last one is reported.
 */
import { connectMany } from '../lib/connect-many.js';
import { waitDurable } from '../lib/durable.js';
import { LatencyRecorder } from '../lib/latency-recorder.js';
import { summarize } from '../lib/percentiles.js';
import { trackPeakRss } from '../lib/proc-stats.js';
import { sleep, waitUntil } from '../lib/wait.js';
import type { Metric, Scenario, ScenarioContext } from './scenario.js';

const INTERVAL_MS = 20;
/** Unmeasured edits first, the same for every server: JIT and first allocations settle. */
const WARMUP_EDITS = 25;

async function runFanout(ctx: ScenarioContext, clientCount: number, durationMs: number): Promise<Metric[]> {
  const key = `fanout${clientCount}`;
  const server = await ctx.startServer();
  const docNames = Array.from({ length: clientCount }, () => 'fanout');
  const opened = await connectMany(ctx, server, docNames, { timeoutMs: 60_000 });
  const metric = (id: string, label: string, unit: string, value: number | null, note?: string): Metric => ({
    id: `${key}.${id}`,
    label: `fan-out ${clientCount} clients: ${label}`,
    unit,
    better: 'lower',
    value,
    ...(note ? { note } : {}),
  });
  if (opened.openMs === null) {
    const note = `only ${opened.synced}/${clientCount} clients synced within 60 s`;
    return [metric('p50', 'p50', 'ms', null, note), metric('p99', 'p99', 'ms', null, note)];
  }
  const [writer, ...receivers] = opened.clients;
  const recorder = new LatencyRecorder(writer!, receivers);
  // Edit i is the writer's update-bearing message number sentBefore + i + 1 on this connection.
  const sentBefore = writer!.updatesSent;
  const ackSamples: number[] = [];
  let ackedEdits = 0;
  writer!.onSavedAck((count) => {
    const now = performance.now();
    for (; ackedEdits < recorder.edits && sentBefore + ackedEdits + 1 <= count; ackedEdits++) {
      if (ackedEdits >= WARMUP_EDITS) ackSamples.push(now - recorder.sentAt(ackedEdits)!);
    }
  });
  const rss = trackPeakRss(server.pid, 250);
  await sleep(500);
  const edits = WARMUP_EDITS + Math.floor(durationMs / INTERVAL_MS);
  const start = performance.now();
  for (let i = 0; i < edits; i++) {
    const wait = start + i * INTERVAL_MS - performance.now();
    if (wait > 0) await sleep(wait);
    if (i === WARMUP_EDITS) recorder.startMeasuring();
    recorder.write();
  }
  await waitUntil(() => recorder.deliveredToAll() === edits, { timeoutMs: 5_000 });
  const censored = recorder.stop();
  const durableMs = await waitDurable([writer!], ctx.launcher.usesSaveAck, 10_000);
  const peakRss = rss.peak();
  rss.stop();
  const latency = summarize(recorder.samples);
  const metrics = [
    metric('p50', 'p50 latency', 'ms', latency.p50),
    metric('p99', 'p99 latency', 'ms', latency.p99, censored ? `${censored} deliveries missing after 5 s, counted at their age then` : undefined),
    metric('lost', 'lost deliveries', 'count', recorder.missingDeliveries()),
    metric('rss', 'server peak RSS', 'MB', peakRss / 2 ** 20),
  ];
  if (ctx.launcher.usesSaveAck) {
    const note = durableMs === null ? `${ackedEdits}/${edits} edits acknowledged within 10 s` : undefined;
    metrics.push(metric('ackP99', 'p99 write→saved ack (Tandem only)', 'ms', summarize(ackSamples).p99, note));
  }
  ctx.log(`${key}: ${edits} edits to ${receivers.length} receivers, p50 ${latency.p50.toFixed(1)} ms, p99 ${latency.p99.toFixed(1)} ms`);
  ctx.disconnect(opened.clients);
  await server.stop();
  return metrics;
}

export const fanoutScenario: Scenario = {
  id: 'fanout',
  title: 'Fan-out latency (one writer every 20 ms)',
  group: 'single',
  async run(ctx) {
    // 50 clients for 30 s (1,500 edits): a p99 over 10 s was the worst 5 edits, and a single GC
    // pause or scheduler hiccup in any process moved it by 30 % between runs. 500 clients stay at
    // 10 s: their 25,000 deliveries a second nearly fill the client process, and over 30 s its
    // backlog grew without bound for every server, so the figure was the clients'.
    const small = await runFanout(ctx, 50, ctx.quick ? 3_000 : 30_000);
    const large = await runFanout(ctx, ctx.quick ? 100 : 500, ctx.quick ? 3_000 : 10_000);
    return [...small, ...large];
  },
};
