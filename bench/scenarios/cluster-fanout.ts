/**
 * Cluster fan-out: the fanout scenario's 50 clients in one document (one writer, a keystroke every
 * 20 ms, 15 s measured after 25 warm-up edits) on one plain process, on 1 cluster member, and
 * with the clients spread over 3 members (client i on member i mod 3: the writer and a third of
 * the readers on member 0, the rest on the other two). Reports write→receive p50/p99 over every
 * reader, lost deliveries, and the 3-member figures minus the 1-member ones (goal: within 3 ms).
 *
 * The warm-up edits must reach every reader, on every member, before measuring starts;
 * otherwise the setup fails saying that edits do not cross members.
 */
import type { BenchClient } from '../clients/bench-client.js';
import { clusterSetup, nullMetrics, SINGLE_PROCESS, startSetup, unsupportedReason, type Setup } from '../lib/cluster-setups.js';
import { connectPlaced } from '../lib/connect-many.js';
import { memberFor } from '../lib/cross-member.js';
import { LatencyRecorder } from '../lib/latency-recorder.js';
import { summarize, type LatencySummary } from '../lib/percentiles.js';
import { sleep, waitUntil } from '../lib/wait.js';
import type { Metric, Scenario, ScenarioContext } from './scenario.js';

const CLIENTS = 50;
const INTERVAL_MS = 20;
const WARMUP_EDITS = 25;

interface FanoutFigures {
  latency: LatencySummary;
  lost: number;
  censored: number;
}

function metricsFor(setup: Setup, figures: FanoutFigures | null): Metric[] {
  const label = `cluster fan-out ${CLIENTS} clients, ${setup.label}`;
  const metric = (id: string, what: string, unit: string, value: number | null, note?: string): Metric => ({
    id: `clusterfan.${setup.key}.${id}`,
    label: `${label}: ${what}`,
    unit,
    better: 'lower',
    value,
    ...(note ? { note } : {}),
  });
  const censoredNote = figures?.censored ? `${figures.censored} deliveries missing after 5 s, counted at their age then` : undefined;
  return [
    metric('p50', 'p50 latency', 'ms', figures?.latency.p50 ?? null),
    metric('p99', 'p99 latency', 'ms', figures?.latency.p99 ?? null, censoredNote),
    metric('lost', 'lost deliveries', 'count', figures?.lost ?? null),
  ];
}

/** Writes `count` keystrokes on the 20 ms rhythm; with `measure`, they are sampled. */
async function writePaced(recorder: LatencyRecorder, count: number, measure: boolean): Promise<void> {
  const start = performance.now();
  if (measure) recorder.startMeasuring();
  for (let i = 0; i < count; i++) {
    const wait = start + i * INTERVAL_MS - performance.now();
    if (wait > 0) await sleep(wait);
    recorder.write();
  }
}

async function measure(ctx: ScenarioContext, setup: Setup, durationMs: number): Promise<FanoutFigures> {
  const deployment = await startSetup(ctx, setup);
  const clients: BenchClient[] = [];
  try {
    const { members } = deployment;
    const placements = Array.from({ length: CLIENTS }, (_, i) => ({ server: memberFor(members, i), docName: 'cluster-fanout' }));
    const opened = await connectPlaced(ctx, placements, { timeoutMs: 60_000 });
    clients.push(...opened.clients);
    if (opened.openMs === null) throw new Error(`only ${opened.synced}/${CLIENTS} clients synced within 60 s`);
    const [writer, ...readers] = opened.clients;
    const recorder = new LatencyRecorder(writer!, readers);
    await sleep(500);
    await writePaced(recorder, WARMUP_EDITS, false);
    const crossed = await waitUntil(() => recorder.deliveredToAll() === WARMUP_EDITS, { timeoutMs: 10_000 });
    if (!crossed) {
      const lacking = readers.map((reader, i) => ({ reader, member: (i + 1) % members.length })).filter(({ reader }) => reader.text.length < WARMUP_EDITS);
      const onMembers = [...new Set(lacking.map(({ member }) => member))].sort();
      throw new Error(
        `edits do not cross members: ${lacking.length}/${readers.length} readers (on member ${onMembers.join(', ')}) lack some of the writer's ${WARMUP_EDITS} warm-up edits after 10 s`,
      );
    }
    const edits = Math.floor(durationMs / INTERVAL_MS);
    await writePaced(recorder, edits, true);
    await waitUntil(() => recorder.deliveredToAll() === WARMUP_EDITS + edits, { timeoutMs: 5_000 });
    const censored = recorder.stop();
    const latency = summarize(recorder.samples);
    ctx.log(`cluster fan-out, ${setup.label}: ${edits} edits to ${readers.length} readers, p50 ${latency.p50.toFixed(1)} ms, p99 ${latency.p99.toFixed(1)} ms`);
    return { latency, lost: recorder.missingDeliveries(), censored };
  } finally {
    ctx.disconnect(clients);
    await deployment.stop();
  }
}

export const clusterFanoutScenario: Scenario = {
  id: 'cluster-fanout',
  title: 'Cluster fan-out: one document, clients over 3 members',
  group: 'cluster',
  async run(ctx) {
    const durationMs = ctx.quick ? 3_000 : 15_000;
    const setups = [SINGLE_PROCESS, clusterSetup(1), clusterSetup(3)];
    const metrics: Metric[] = [];
    const figures = new Map<string, FanoutFigures>();
    for (const setup of setups) {
      const unsupported = unsupportedReason(ctx, setup);
      if (unsupported) {
        metrics.push(...nullMetrics(metricsFor(setup, null), unsupported));
        continue;
      }
      try {
        const measured = await measure(ctx, setup, durationMs);
        figures.set(setup.key, measured);
        metrics.push(...metricsFor(setup, measured));
      } catch (error) {
        const message = `failed: ${error instanceof Error ? error.message : String(error)}`;
        ctx.log(`cluster fan-out, ${setup.label}: ${message}`);
        metrics.push(...nullMetrics(metricsFor(setup, null), message));
      }
    }
    const one = figures.get('m1');
    const three = figures.get('m3');
    for (const p of ['p50', 'p99'] as const) {
      metrics.push({
        id: `clusterfan.m3.${p}Delta`,
        label: `cluster fan-out: ${p}, 3 members minus 1 member (goal ≤ 3 ms)`,
        unit: 'ms',
        better: 'lower',
        value: one && three ? three.latency[p] - one.latency[p] : null,
      });
    }
    return metrics;
  },
};
