/**
 * Cluster capacity: 20 documents × 5 clients on one plain process and on clusters of 1, 2 and 3
 * members, in two placements:
 *
 * - by document: all clients of document d on member d mod N, as a balancer hashing the request
 *   path places them (nginx `hash $request_uri consistent`): documents are spread over members,
 *   each member relays its own documents, and the goal (≤ 1.3× one member) applies here;
 * - spread: the clients of every document spread over all members (client j of document d on
 *   member (j + d) mod N), as random balancing places them, so nearly every edit crosses members:
 *   the worst case, reported beside it.
 *
 * CPU per edit is measured under the same offered load per member (PACED_RATE_PER_MEMBER × N
 * keystrokes/s over the 20 documents, paced-loop.ts). Server CPU (/proc
 * utime+stime of every member, summed) from the first edit until every member is idle again
 * (≥ 3 s) and, for Tandem, every edit is acknowledged; per 1,000 relayed edits. PostgreSQL's and
 * Redis's own CPU is not counted. Then a closed loop (each keystroke waits for the previous one to
 * reach every client) gives the highest edit rate the setup sustains; its CPU is not used, since
 * CPU per edit falls as load rises (more messages share each turn and each system call).
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
import { runPacedLoop } from '../lib/paced-loop.js';
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
/**
 * Offered load per member: 150 keystrokes/s, so N members carry N times the load of one process
 * (what adding members is for). CPU per edit depends on the load a process carries (at a higher
 * rate more messages share each turn and each system call), so comparing N members at 150/s in
 * all with one process at 150/s would charge the cluster for running each member at 1/N load.
 */
const PACED_RATE_PER_MEMBER = 150;

type Placement = 'by-document' | 'spread';

const PLACEMENT_LABEL: Record<Placement, string> = {
  'by-document': 'documents spread over members',
  spread: "every document's clients spread over members",
};

/** Member of client i (client i is in document i mod DOCS, as the j-th client of it). */
function placeClients(placement: Placement, memberCount: number): number[] {
  return Array.from({ length: DOCS * CLIENTS_PER_DOC }, (_, i) =>
    placement === 'by-document' ? (i % DOCS) % memberCount : (Math.floor(i / DOCS) + (i % DOCS)) % memberCount,
  );
}

interface CapacityFigures {
  cpuPer1k: number;
  /** Closed-loop rate (spread placement only). */
  rate: number | null;
  /** % of a core the bystander member used during the busy window. */
  bystanderPct: number | null;
  notes: string[];
}

function metricsFor(setup: Setup, placement: Placement, figures: CapacityFigures | null): Metric[] {
  const label = `cluster capacity ${DOCS} docs × ${CLIENTS_PER_DOC} clients, ${setup.label}${setup.isCluster ? `, ${PLACEMENT_LABEL[placement]}` : ''}`;
  const note = figures?.notes.length ? { note: figures.notes.join('; ') } : {};
  const cpu: Metric = {
    id: `clustercap.${placement}.${setup.key}.cpuPer1k`,
    label: `${label}: server CPU per 1,000 relayed edits at ${PACED_RATE_PER_MEMBER * setup.members} edits/s${setup.members > 1 ? ' (summed over members)' : ''}`,
    unit: 'CPU-s',
    better: 'lower',
    value: figures?.cpuPer1k ?? null,
    ...note,
  };
  if (placement === 'by-document') return [cpu];
  return [cpu, { id: `clustercap.${setup.key}.rate`, label: `${label}: closed-loop edit rate`, unit: 'edits/s', better: 'higher', value: figures?.rate ?? null }];
}

async function measure(ctx: ScenarioContext, setup: Setup, placement: Placement, durationMs: number): Promise<CapacityFigures> {
  const withBystander = setup.isCluster && setup.members === BYSTANDER_WITH && placement === 'spread';
  const deployment = await startSetup(ctx, setup, withBystander ? 1 : 0);
  const clients: BenchClient[] = [];
  try {
    const { members } = deployment;
    const memberOf = placeClients(placement, members.length);
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
    const pacedStart = performance.now();
    const pacedCounts = await Promise.all(
      documents.map((document) =>
        runPacedLoop(document.clients, { ratePerSecond: (PACED_RATE_PER_MEMBER * members.length) / DOCS, stopAt: pacedStart + durationMs, stallMs: 10_000, name: document.name }),
      ),
    );
    const pacedMs = performance.now() - pacedStart;
    const bystanderPct = bystander ? ((readCpuSeconds(bystander.pid) - bystanderBefore) / (pacedMs / 1000)) * 100 : null;
    const edits = pacedCounts.reduce((a, b) => a + b, 0);
    const durableMs = await waitDurable(clients, ctx.launcher.usesSaveAck, 30_000);
    const idle = await Promise.all(members.map((server) => waitForIdle(server.pid, { minWaitMs: 3_000, timeoutMs: 30_000 })));
    const cpuPerMember = members.map((server, i) => readCpuSeconds(server.pid) - cpuBefore[i]!);
    const cpu = cpuPerMember.reduce((a, b) => a + b, 0);
    assertConverged(documents);

    let closed: { edits: number; ms: number } | null = null;
    if (placement === 'spread') {
      const start = performance.now();
      const counts = await Promise.all(documents.map((document) => runClosedLoop(document.clients, { stopAt: start + durationMs, stallMs: 10_000, name: document.name })));
      closed = { edits: counts.reduce((a, b) => a + b, 0), ms: performance.now() - start };
      await waitDurable(clients, ctx.launcher.usesSaveAck, 30_000);
      assertConverged(documents);
    }
    ctx.log(
      `cluster capacity, ${setup.label}, ${placement}: ${edits} paced edits in ${(pacedMs / 1000).toFixed(1)} s (cross-member check ${crossMs.toFixed(0)} ms), ` +
        `server CPU ${cpuPerMember.map((c) => c.toFixed(2)).join(' + ')} s` +
        (bystander ? `; bystander member ${bystanderPct!.toFixed(1)} % of a core while busy, ${bystanderIdlePct!.toFixed(1)} % before` : '') +
        (closed ? `; closed loop ${closed.edits} edits in ${(closed.ms / 1000).toFixed(1)} s` : ''),
    );
    const notes = [
      durableMs === null && ctx.launcher.usesSaveAck ? 'not every edit acknowledged within 30 s' : '',
      idle.every((result) => result.idle) ? '' : 'a member was still busy 30 s after the last edit',
    ].filter(Boolean);
    return { cpuPer1k: (cpu / edits) * 1000, rate: closed ? closed.edits / (closed.ms / 1000) : null, bystanderPct, notes };
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
    // One process and one member place every client alike: measured once (with the closed loop).
    const runs: [Setup, Placement][] = [
      [SINGLE_PROCESS, 'spread'],
      [clusterSetup(1), 'spread'],
      ...[2, 3].flatMap((members): [Setup, Placement][] => [
        [clusterSetup(members), 'by-document'],
        [clusterSetup(members), 'spread'],
      ]),
    ];
    const metrics: Metric[] = [];
    const figures = new Map<string, CapacityFigures>();
    for (const [setup, placement] of runs) {
      const unsupported = unsupportedReason(ctx, setup);
      if (unsupported) {
        metrics.push(...nullMetrics(metricsFor(setup, placement, null), unsupported));
        continue;
      }
      try {
        const measured = await measure(ctx, setup, placement, durationMs);
        figures.set(`${placement}.${setup.key}`, measured);
        metrics.push(...metricsFor(setup, placement, measured));
      } catch (error) {
        const message = `failed: ${error instanceof Error ? error.message : String(error)}`;
        ctx.log(`cluster capacity, ${setup.label}, ${placement}: ${message}`);
        metrics.push(...nullMetrics(metricsFor(setup, placement, null), message));
      }
    }
    const one = figures.get('spread.m1');
    const plain = figures.get('spread.single');
    for (const placement of ['by-document', 'spread'] as const) {
      for (const members of [2, 3]) {
        const many = figures.get(`${placement}.m${members}`);
        const goal = placement === 'by-document' ? ' (goal ≤ 1.3)' : '';
        metrics.push({
          id: `clustercap.${placement}.m${members}.vsM1`,
          label: `cluster capacity, ${PLACEMENT_LABEL[placement]}: CPU per edit, ${members} members ÷ 1 member${goal}`,
          unit: '×',
          better: 'lower',
          value: one && many ? many.cpuPer1k / one.cpuPer1k : null,
        });
      }
    }
    const three = figures.get('by-document.m3');
    metrics.push({
      id: 'clustercap.by-document.m3.vsSingle',
      label: `cluster capacity, ${PLACEMENT_LABEL['by-document']}: CPU per edit, 3 members ÷ one plain process (its embedded store)`,
      unit: '×',
      better: 'lower',
      value: plain && three ? three.cpuPer1k / plain.cpuPer1k : null,
    });
    const isolated = figures.get(`spread.m${BYSTANDER_WITH}`);
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
