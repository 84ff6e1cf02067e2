/**
 * N processes of one server kind sharing documents: each member is the launcher's own server
 * started with the cluster's namespace (fresh PostgreSQL schema and Redis key prefix), on a port
 * and data folder of its own. Members start one after the other, so schema creation at start
 * never races (the first member creates it); the namespace is dropped once they have all stopped.
 */
import { dropClusterNamespace, newClusterNamespace, type ClusterEngineUrls, type ClusterNamespace } from '../lib/cluster-engines.js';
import { findFreePort } from '../lib/ports.js';
import type { ServerLauncher } from './server-launcher.js';
import type { ServerHandle } from './server-process.js';

export interface Cluster {
  namespace: ClusterNamespace;
  /** Every member started so far, in start order. */
  readonly members: readonly ServerHandle[];
  /** Starts one more member of this cluster. */
  addMember(): Promise<ServerHandle>;
  /** Stops every member, then drops the namespace; safe to call twice. */
  stop(): Promise<void>;
}

export interface StartClusterOptions {
  launcher: ServerLauncher;
  members: number;
  engines: ClusterEngineUrls;
  newDataDir(): Promise<string>;
  /** Called with every member as it starts (the run context stops them all at cleanup). */
  onMember?(member: ServerHandle): void;
}

export async function startCluster(options: StartClusterOptions): Promise<Cluster> {
  const { launcher } = options;
  if (!launcher.clusterMode) throw new Error(`${launcher.label} has no cluster mode`);
  const namespace = newClusterNamespace(options.engines);
  const members: ServerHandle[] = [];
  let stopping: Promise<void> | null = null;
  const cluster: Cluster = {
    namespace,
    members,
    async addMember() {
      if (stopping) throw new Error('cluster is stopping');
      const member = await launcher.start({ port: await findFreePort(), dataDir: await options.newDataDir(), cluster: namespace });
      members.push(member);
      options.onMember?.(member);
      return member;
    },
    stop() {
      stopping ??= (async () => {
        await Promise.all(members.map((member) => member.stop(10_000)));
        await dropClusterNamespace(namespace);
      })();
      return stopping;
    },
  };
  try {
    for (let i = 0; i < options.members; i++) await cluster.addMember();
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  return cluster;
}
