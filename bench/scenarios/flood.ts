/**
 * Flood: one client types 50,000 keystrokes as fast as it can generate them (500 per event-loop
 * turn, no waiting for the server); an observer in the same document counts them arriving, which
 * gives the updates/s the server got through. Meanwhile a second document's writer types every
 * 20 ms to 4 readers, and their p99 latency during the flood shows whether the flood starves
 * other documents. The observer and the calm document's clients run in child processes of their
 * own: in the flooding client's process, applying the flood competed with generating it and the
 * rate was the client's, and the calm document's latency was the flooding client's busy loop.
 * Tandem runs with its default per-connection rate limits.
 */
import { connectMany } from '../lib/connect-many.js';
import { waitDurable } from '../lib/durable.js';
import { summarize } from '../lib/percentiles.js';
import { readCpuSeconds, trackPeakRss, type PeakRssTracker } from '../lib/proc-stats.js';
import { sleep, yieldToLoop } from '../lib/wait.js';
import { startCalmDocument, type CalmDocument } from '../roles/calm-document-role.js';
import { epochNow } from '../roles/child-role.js';
import { startFloodObserver, type FloodObserver } from '../roles/flood-observer-role.js';
import type { BenchClient } from '../clients/bench-client.js';
import type { ServerHandle } from '../servers/server-process.js';
import type { Metric, Scenario, ScenarioContext } from './scenario.js';

const CHUNK = 500;
const CALM_INTERVAL_MS = 20;

export const floodScenario: Scenario = {
  id: 'flood',
  title: 'Flood from one client, latency of another document meanwhile',
  group: 'single',
  async run(ctx) {
    const keystrokes = ctx.quick ? 10_000 : 50_000;
    const timeoutMs = ctx.quick ? 20_000 : 60_000;
    const server = await ctx.startServer();
    const opened = await connectMany(ctx, server, ['flood'], { timeoutMs: 20_000 });
    if (opened.openMs === null) throw new Error('the flooding client did not sync');
    const [flooder] = opened.clients;
    let calmDocument: CalmDocument | null = null;
    let observer: FloodObserver | null = null;
    const rss = trackPeakRss(server.pid, 200);
    try {
      const roleOptions = { kind: server.kind, wsUrl: server.wsUrl, saveAck: ctx.launcher.usesSaveAck };
      observer = await startFloodObserver({ ...roleOptions, docName: 'flood' });
      calmDocument = await startCalmDocument({
        kind: server.kind,
        wsUrl: server.wsUrl,
        docName: 'calm',
        saveAck: ctx.launcher.usesSaveAck,
        intervalMs: CALM_INTERVAL_MS,
      });
      return await flood(ctx, server, flooder!, observer, calmDocument, rss, keystrokes, timeoutMs);
    } finally {
      rss.stop();
      observer?.kill();
      calmDocument?.kill();
      ctx.disconnect(opened.clients);
      await server.stop();
    }
  },
};

async function flood(
  ctx: ScenarioContext,
  server: ServerHandle,
  flooder: BenchClient,
  observer: FloodObserver,
  calmDocument: CalmDocument,
  rss: PeakRssTracker,
  keystrokes: number,
  timeoutMs: number,
): Promise<Metric[]> {
  // The calm document's writer keeps its 20 ms rhythm throughout; the first 0.5 s is warm-up.
  await sleep(500);

  calmDocument.startMeasuring();
  const cpuBefore = readCpuSeconds(server.pid);
  const floodStart = performance.now();
  const floodStartEpoch = epochNow();
  const observed = observer.watch(keystrokes, timeoutMs);
  for (let sent = 0; sent < keystrokes; ) {
    const end = Math.min(keystrokes, sent + CHUNK);
    for (; sent < end; sent++) flooder.text.insert(flooder.text.length, 'f');
    await yieldToLoop();
  }
  const generatedMs = performance.now() - floodStart;
  const { received, completedAt } = await observed;
  const complete = completedAt !== null;
  const floodMs = (completedAt ?? epochNow()) - floodStartEpoch;
  const cpuDuring = readCpuSeconds(server.pid) - cpuBefore;
  const { samples, censored } = await calmDocument.stop();
  // Only Tandem has a durability signal worth waiting for here.
  const durableMs = ctx.launcher.usesSaveAck ? await waitDurable([flooder], true, timeoutMs) : null;
  const durableAfter = durableMs === null ? null : performance.now() - floodStart;
  const peakRss = rss.peak();
  const calm = summarize(samples);
  const rate = received / (floodMs / 1000);
  ctx.log(
    `flood: ${received}/${keystrokes} relayed in ${(floodMs / 1000).toFixed(1)} s (client generated them in ${generatedMs.toFixed(0)} ms) → ` +
      `${rate.toFixed(0)}/s, server CPU ${cpuDuring.toFixed(1)} s; calm doc p99 ${calm.p99.toFixed(1)} ms over ${calm.count} deliveries (${censored} never arrived)`,
  );
  const label = `flood of ${keystrokes.toLocaleString('en-US')} keystrokes`;
  const metrics: Metric[] = [
    {
      id: 'flood.rate',
      label: `${label}: updates/s relayed to an observer`,
      unit: 'updates/s',
      better: 'higher',
      value: rate,
      ...(complete ? {} : { note: `only ${received}/${keystrokes} arrived within ${timeoutMs / 1000} s` }),
    },
    {
      id: 'flood.calmP99',
      label: `${label}: other document's p99 latency meanwhile`,
      unit: 'ms',
      better: 'lower',
      value: calm.p99,
      ...(censored ? { note: `${censored}/${calm.count} deliveries had not arrived when the flood ended (counted at their age then)` } : {}),
    },
    {
      id: 'flood.cpuShare',
      label: `${label}: server CPU busy during the flood`,
      unit: '% of a core',
      better: 'lower',
      value: (cpuDuring / (floodMs / 1000)) * 100,
    },
    { id: 'flood.rss', label: `${label}: server peak RSS`, unit: 'MB', better: 'lower', value: peakRss / 2 ** 20 },
  ];
  if (ctx.launcher.usesSaveAck) {
    metrics.push({
      id: 'flood.durable',
      label: `${label}: all saved-acknowledged after (Tandem only)`,
      unit: 's',
      better: 'lower',
      value: durableAfter === null ? null : durableAfter / 1000,
      ...(durableAfter === null ? { note: 'not all acknowledged in time' } : {}),
    });
  }
  return metrics;
}
