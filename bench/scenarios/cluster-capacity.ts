/**
 * Cluster capacity: the throughput scenario's load (20 documents × 5 clients typing in closed
 * loops for 10 s) on one plain process and on clusters of 1, 2 and 3 members, with the clients of
 * every document spread over all members (client j of document d on member (j + d) mod N), so
 * nearly every edit crosses members. Server CPU (/proc utime+stime of every member, summed) from
 * the first edit until every member is idle again (≥ 3 s) and, for Tandem, every edit is
 * acknowledged; per 1,000 relayed edits. PostgreSQL's and Redis's own CPU is not counted.
 *
 * Isolation: the 2-member cluster gets a third member holding one client of a quiet document and
 * none of the busy ones; its CPU during the busy window is reported on its own (not in the sum).
 *
 * Before measuring, one edit from each member of every document must reach every client
 * (cross-member.ts), and afterwards every document must have converged; otherwise the setup fails
 * with the reason instead of a figure.
 */
import type { BenchClient } from '../clients/bench-client.js';
import { runClosedLoop } from '../lib/closed-loop.js';
import { clusterSetup, nullMetrics, SINGLE_PROCESS, startSetup, unsupportedReason, type Setup } from '../lib/cluster-setups.js';
import { connectPlaced } from '../lib/connect-many.js';
import { assertConverged, verifyCrossMemberDelivery, type PlacedDocument } from '../lib/cross-member.js';
import { waitDurable } from '../lib/durable.js';
import { readCpuSeconds, waitForIdle } from '../lib/proc-stats.js';
import { sleep } from '../lib/wait.js';
import type { Metric, Scenario, ScenarioContext } from './scenario.js';

const DOCS = 20;
const CLIENTS_PER_DOC = 5;
/** The setup with the bystander member (isolation figure). */
const BYSTANDER_WITH = 2;
const BASELINE_MS = 2_000;

interface CapacityFigures {
  cpuPer1k: number;
  rate: number;
  /** % of a core the bystander member used during the busy window. */
  bystanderPct: number | null;
  notes: string[];
}

function metricsFor(setup: Setup, figures: CapacityFigures | null): Metric[] {
  const label = `cluster capacity ${DOCS} docs × ${CLIENTS_PER_DOC} clients, ${setup.label}`;
  const note = figures?.notes.length ? { note: figures.notes.join('; ') } : {};
  return [
    {
      id: `clustercap.${setup.key}.cpuPer1k`,
      label: `${label}: server CPU per 1,000 relayed edits${setup.members > 1 ? ' (summed over members)' : ''}`,
      unit: 'CPU-s',
      better: 'lower',
      value: figures?.cpuPer1k ?? null,
      ...note,
    },
    { id: `clustercap.${setup.key}.rate`, label: `${label}: closed-loop edit rate`, unit: 'edits/s', better: 'higher', value: figures?.rate ?? null },
  ];
}

async function measure(ctx: ScenarioContext, setup: Setup, durationMs: number): Promise<CapacityFigures> {
  const deployment = await startSetup(ctx, setup, setup.isCluster && setup.members === BYSTANDER_WITH ? 1 : 0);
  const clients: BenchClient[] = [];
  try {
    const { members } = deployment;
    const memberOf = Array.from({ length: DOCS * CLIENTS_PER_DOC }, (_, i) => (Math.floor(i / DOCS) + (i % DOCS)) % members.length);
    const opened = await connectPlaced(
      ctx,
      memberOf.map((m, i) => ({ server: members[m]!, docName: `cc-${i % DOCS}` })),
      { timeoutMs: 60_000 },
    );
    clients.push(...opened.clients);
    if (opened.openMs === null) throw new Error(`only ${opened.synced}/${memberOf.length} clients synced within 60 s`);
    const documents: PlacedDocument[] = Array.from({ length: DOCS }, (_, d) => {
      const indexes = memberOf.map((_m, i) => i).filter((i) => i % DOCS === d);
      return { name: `cc-${d}`, clients: indexes.map((i) => opened.clients[i]!), memberOf: indexes.map((i) => memberOf[i]!) };
    });
    const bystander = deployment.extras[0];
    if (bystander) {
      const quiet = await connectPlaced(ctx, [{ server: bystander, docName: 'cc-quiet' }], { timeoutMs: 20_000 });
      clients.push(...quiet.clients);
      if (quiet.openMs === null) throw new Error('the bystander member did not sync its quiet document');
    }
    const crossMs = await verifyCrossMemberDelivery(documents, 10_000);
    const everyone = [...members, ...deployment.extras];
    await Promise.all(everyone.map((server) => waitForIdle(server.pid, { minWaitMs: 500, timeoutMs: 10_000 })));
    let bystanderIdlePct: number | null = null;
    if (bystander) {
      const before = readCpuSeconds(bystander.pid);
      await sleep(BASELINE_MS);
      bystanderIdlePct = ((readCpuSeconds(bystander.pid) - before) / (BASELINE_MS / 1000)) * 100;
    }

    const cpuBefore = members.map((server) => readCpuSeconds(server.pid));
    const bystanderBefore = bystander ? readCpuSeconds(bystander.pid) : 0;
    const start = performance.now();
    const counts = await Promise.all(documents.map((document) => runClosedLoop(document.clients, { stopAt: start + durationMs, stallMs: 10_000, name: document.name })));
    const loopMs = performance.now() - start;
    const bystanderPct = bystander ? ((readCpuSeconds(bystander.pid) - bystanderBefore) / (loopMs / 1000)) * 100 : null;
    const edits = counts.reduce((a, b) => a + b, 0);
    const durableMs = await waitDurable(clients, ctx.launcher.usesSaveAck, 30_000);
    const idle = await Promise.all(members.map((server) => waitForIdle(server.pid, { minWaitMs: 3_000, timeoutMs: 30_000 })));
    const cpuPerMember = members.map((server, i) => readCpuSeconds(server.pid) - cpuBefore[i]!);
    const cpu = cpuPerMember.reduce((a, b) => a + b, 0);
    assertConverged(documents);
    ctx.log(
      `cluster capacity, ${setup.label}: ${edits} edits in ${(loopMs / 1000).toFixed(1)} s (cross-member check ${crossMs.toFixed(0)} ms), ` +
        `server CPU ${cpuPerMember.map((c) => c.toFixed(2)).join(' + ')} s` +
        (bystander ? `; bystander member ${bystanderPct!.toFixed(1)} % of a core while busy, ${bystanderIdlePct!.toFixed(1)} % before` : ''),
    );
    const notes = [
      durableMs === null && ctx.launcher.usesSaveAck ? 'not every edit acknowledged within 30 s' : '',
      idle.every((result) => result.idle) ? '' : 'a member was still busy 30 s after the last edit',
    ].filter(Boolean);
    return { cpuPer1k: (cpu / edits) * 1000, rate: edits / (loopMs / 1000), bystanderPct, notes };
  } finally {
    ctx.disconnect(clients);
    await deployment.stop();
  }
}

export const clusterCapacityScenario: Scenario = {
  id: 'cluster-capacity',
  title: 'Cluster capacity: CPU per 1,000 relayed edits over 1, 2 and 3 members',
  group: 'cluster',
  async run(ctx) {
    const durationMs = ctx.quick ? 3_000 : 10_000;
    const setups = [SINGLE_PROCESS, clusterSetup(1), clusterSetup(2), clusterSetup(3)];
    const metrics: Metric[] = [];
    const figures = new Map<string, CapacityFigures>();
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
        ctx.log(`cluster capacity, ${setup.label}: ${message}`);
        metrics.push(...nullMetrics(metricsFor(setup, null), message));
      }
    }
    const one = figures.get('m1');
    for (const members of [2, 3]) {
      const many = figures.get(`m${members}`);
      metrics.push({
        id: `clustercap.m${members}.vsM1`,
        label: `cluster capacity: CPU per edit, ${members} members ÷ 1 member (goal ≤ 1.3)`,
        unit: '×',
        better: 'lower',
        value: one && many ? many.cpuPer1k / one.cpuPer1k : null,
      });
    }
    const isolated = figures.get(`m${BYSTANDER_WITH}`);
    metrics.push({
      id: 'clustercap.isolation',
      label: `cluster capacity: CPU of a member with no clients of the busy documents, while ${BYSTANDER_WITH} others relay them (goal 0)`,
      unit: '% of a core',
      better: 'lower',
      value: isolated?.bystanderPct ?? null,
    });
    return metrics;
  },
};
