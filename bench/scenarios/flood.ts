/**
 * Flood: one client types 50,000 keystrokes as fast as it can generate them (500 per event-loop
 * turn, no waiting for the server); an observer in the same document counts them arriving, which
 * gives the updates/s the server got through. Meanwhile a second document's writer types every
 * 20 ms to 4 readers, and their p99 latency during the flood shows whether the flood starves
 * other documents. Tandem runs with its default per-connection rate limits.
 */
import { connectMany } from '../lib/connect-many.js';
import { waitDurable } from '../lib/durable.js';
import { LatencyRecorder } from '../lib/latency-recorder.js';
import { summarize } from '../lib/percentiles.js';
import { readCpuSeconds, readRssBytes } from '../lib/proc-stats.js';
import { sleep, waitUntil, yieldToLoop } from '../lib/wait.js';
import type { Metric, Scenario } from './scenario.js';

const CHUNK = 500;
const CALM_INTERVAL_MS = 20;

export const floodScenario: Scenario = {
  id: 'flood',
  title: 'Flood from one client, latency of another document meanwhile',
  async run(ctx) {
    const keystrokes = ctx.quick ? 10_000 : 50_000;
    const timeoutMs = ctx.quick ? 20_000 : 60_000;
    const server = await ctx.startServer();
    const names = ['flood', 'flood', 'calm', 'calm', 'calm', 'calm', 'calm'];
    const opened = await connectMany(ctx, server, names, { timeoutMs: 20_000 });
    if (opened.openMs === null) throw new Error(`only ${opened.synced}/${names.length} clients synced`);
    const [flooder, observer, calmWriter, ...calmReaders] = opened.clients;
    const recorder = new LatencyRecorder(calmWriter!, calmReaders);
    let peakRss = readRssBytes(server.pid);

    // The calm document's writer keeps its 20 ms rhythm throughout; the first 0.5 s is warm-up.
    let calmRunning = true;
    const calmLoop = (async () => {
      const start = performance.now();
      for (let i = 0; calmRunning; i++) {
        const wait = start + i * CALM_INTERVAL_MS - performance.now();
        if (wait > 0) await sleep(wait);
        recorder.write();
        if (i % 10 === 0) peakRss = Math.max(peakRss, readRssBytes(server.pid));
      }
    })();
    await sleep(500);

    recorder.startMeasuring();
    const cpuBefore = readCpuSeconds(server.pid);
    const floodStart = performance.now();
    for (let sent = 0; sent < keystrokes; ) {
      const end = Math.min(keystrokes, sent + CHUNK);
      for (; sent < end; sent++) flooder!.text.insert(flooder!.text.length, 'f');
      await yieldToLoop();
    }
    const generatedMs = performance.now() - floodStart;
    const complete = await waitUntil(() => observer!.text.length >= keystrokes, { timeoutMs, intervalMs: 2 });
    const floodMs = performance.now() - floodStart;
    const received = observer!.text.length;
    const cpuDuring = readCpuSeconds(server.pid) - cpuBefore;
    const censored = recorder.stop();
    calmRunning = false;
    await calmLoop;
    // Only Tandem has a durability signal worth waiting for here.
    const durableMs = ctx.launcher.usesSaveAck ? await waitDurable([flooder!], true, timeoutMs) : null;
    const durableAfter = durableMs === null ? null : performance.now() - floodStart;
    peakRss = Math.max(peakRss, readRssBytes(server.pid));
    const calm = summarize(recorder.samples);
    const rate = received / (floodMs / 1000);
    ctx.log(
      `flood: ${received}/${keystrokes} relayed in ${(floodMs / 1000).toFixed(1)} s (client generated them in ${generatedMs.toFixed(0)} ms) → ` +
        `${rate.toFixed(0)}/s, server CPU ${cpuDuring.toFixed(1)} s; calm doc p99 ${calm.p99.toFixed(1)} ms over ${calm.count} deliveries (${censored} never arrived)`,
    );
    ctx.disconnect(opened.clients);
    await server.stop();
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
  },
};
