/**
 * Builds a ScenarioContext for one server kind and tracks everything it starts, so cleanup stops
 * exactly the server PIDs this run spawned and destroys its clients, whatever the scenario did.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { connectBenchClient, type BenchClient } from '../clients/bench-client.js';
import type { ScenarioContext } from '../scenarios/scenario.js';
import { startCluster, type Cluster } from '../servers/cluster.js';
import type { ServerLauncher } from '../servers/server-launcher.js';
import type { ServerHandle } from '../servers/server-process.js';
import { checkClusterEngines, type ClusterEngineUrls } from './cluster-engines.js';
import { findFreePort } from './ports.js';

export interface ManagedContext {
  ctx: ScenarioContext;
  cleanup(): Promise<void>;
}

export function createScenarioContext(options: {
  launcher: ServerLauncher;
  quick: boolean;
  clientCounts?: number[] | null;
  workDir: string;
  log: (line: string) => void;
  /** The engines cluster scenarios share (run.ts reads them from the environment once). */
  engines: ClusterEngineUrls;
}): ManagedContext {
  const { launcher, workDir } = options;
  const servers = new Set<ServerHandle>();
  const clusters = new Set<Cluster>();
  let enginesChecked: Promise<void> | null = null;
  const track = (server: ServerHandle): void => {
    servers.add(server);
    void server.exited.then(() => servers.delete(server));
  };
  const clients = new Set<BenchClient>();
  const dataDirs: string[] = [];
  const ctx: ScenarioContext = {
    launcher,
    quick: options.quick,
    clientCounts: options.clientCounts ?? null,
    log: (line) => options.log(`[${launcher.kind}] ${line}`),
    async newDataDir() {
      const dir = await mkdtemp(path.join(workDir, `${launcher.kind}-`));
      dataDirs.push(dir);
      return dir;
    },
    async startServer(dataDir, env) {
      const dir = dataDir ?? (await ctx.newDataDir());
      const server = await launcher.start({ port: await findFreePort(), dataDir: dir, ...(env ? { env } : {}) });
      track(server);
      return server;
    },
    async startCluster(members) {
      enginesChecked ??= checkClusterEngines(options.engines);
      await enginesChecked;
      const cluster = await startCluster({ launcher, members, engines: options.engines, newDataDir: () => ctx.newDataDir(), onMember: track });
      clusters.add(cluster);
      return cluster;
    },
    connect(server, docName) {
      const client = connectBenchClient(launcher.kind, server.wsUrl, docName, { saveAck: launcher.usesSaveAck });
      clients.add(client);
      return client;
    },
    disconnect(list) {
      for (const client of list) {
        if (clients.delete(client)) client.destroy();
      }
    },
  };
  return {
    ctx,
    async cleanup() {
      ctx.disconnect([...clients]);
      await Promise.all([...servers].map((server) => server.stop(10_000)));
      // After the servers: a schema is dropped only once no member holds it.
      for (const cluster of clusters) {
        await cluster.stop().catch((error: unknown) => options.log(`[${launcher.kind}] cleaning up cluster ${cluster.namespace.schema} failed: ${String(error)}`));
      }
      await Promise.all(dataDirs.map((dir) => rm(dir, { recursive: true, force: true })));
    },
  };
}
