/**
 * The deployments a cluster scenario compares, each started fresh: one plain process (the
 * server's embedded default store, as in the other scenarios) and clusters of 1, 2 or 3 members
 * (the launcher's cluster mode, a fresh namespace each). A setup's figures are measured the same
 * way whichever it is; a setup that fails gives null figures with the reason, and the scenario
 * goes on with the next one.
 */
import type { Metric, ScenarioContext } from '../scenarios/scenario.js';
import type { ServerHandle } from '../servers/server-process.js';

export interface Setup {
  /** Metric id part: `single`, `m1`, `m2`, `m3`. */
  key: string;
  /** For labels: "one process", "3 members". */
  label: string;
  /** Processes holding the measured clients. */
  members: number;
  isCluster: boolean;
}

export const SINGLE_PROCESS: Setup = { key: 'single', label: 'one process (embedded store)', members: 1, isCluster: false };

export function clusterSetup(members: number): Setup {
  return { key: `m${members}`, label: members === 1 ? '1 cluster member' : `${members} cluster members`, members, isCluster: true };
}

export interface Deployment {
  /** The processes clients are spread over. */
  members: readonly ServerHandle[];
  /** Further members of the same cluster started on request (bystanders). */
  extras: readonly ServerHandle[];
  stop(): Promise<void>;
}

/** Starts a setup plus `extraMembers` more members of its cluster (cluster setups only). */
export async function startSetup(ctx: ScenarioContext, setup: Setup, extraMembers = 0): Promise<Deployment> {
  if (!setup.isCluster) {
    const server = await ctx.startServer();
    return { members: [server], extras: [], stop: async () => void (await server.stop()) };
  }
  const cluster = await ctx.startCluster(setup.members);
  const extras: ServerHandle[] = [];
  try {
    for (let i = 0; i < extraMembers; i++) extras.push(await cluster.addMember());
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  return { members: cluster.members.slice(0, setup.members), extras, stop: () => cluster.stop() };
}

/** Whether this launcher can run the setup; if not, the reason for its null figures. */
export function unsupportedReason(ctx: ScenarioContext, setup: Setup): string | null {
  return setup.isCluster && !ctx.launcher.clusterMode ? `${ctx.launcher.label} has no cluster mode` : null;
}

/**
 * The same metrics with null values, for a setup that could not be measured: the first carries
 * the reason, the others point to it (a failure message can be long).
 */
export function nullMetrics(metrics: readonly Metric[], note: string): Metric[] {
  return metrics.map((metric, i) => ({ ...metric, value: null, note: i === 0 ? note : `see the note on "${metrics[0]!.label}"` }));
}
