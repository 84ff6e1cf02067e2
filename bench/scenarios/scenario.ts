/**
 * The contract between the CLI and a scenario: a scenario gets one server kind at a time, starts
 * it (and its clients) through the context, and returns metrics; the context cleans up whatever
 * was started, even when the scenario throws.
 */
import type { BenchClient } from '../clients/bench-client.js';
import type { Cluster } from '../servers/cluster.js';
import type { ServerLauncher } from '../servers/server-launcher.js';
import type { ServerHandle } from '../servers/server-process.js';

export interface Metric {
  /** Stable key across servers and runs, e.g. `fanout50.p99`. */
  id: string;
  label: string;
  unit: string;
  better: 'lower' | 'higher';
  /** null when the server could not produce it (see note). */
  value: number | null;
  note?: string;
}

export interface ScenarioContext {
  launcher: ServerLauncher;
  quick: boolean;
  /** `--clients`: client counts for scenarios that take them (hot-doc), instead of their defaults. */
  clientCounts: number[] | null;
  log(line: string): void;
  newDataDir(): Promise<string>;
  /**
   * Starts the launcher's server on a free port and the given (or a fresh) data folder; `env`
   * adds environment for setup-only starts (never for a measured one).
   */
  startServer(dataDir?: string, env?: Record<string, string>): Promise<ServerHandle>;
  /**
   * Starts `members` processes of the launcher's cluster mode sharing a fresh namespace on the
   * machine's PostgreSQL and Redis (checked first, failing with what to do); throws when the
   * launcher has none (`launcher.clusterMode === null`). Stopped and dropped at cleanup.
   */
  startCluster(members: number): Promise<Cluster>;
  /** A client of this server kind (Tandem clients opt in to saved acks), destroyed at cleanup. */
  connect(server: ServerHandle, docName: string): BenchClient;
  /** Destroys the given clients now (and forgets them). */
  disconnect(clients: readonly BenchClient[]): void;
}

export interface Scenario {
  id: string;
  title: string;
  /** 'cluster' scenarios need PostgreSQL and Redis and run only when named (see run.ts). */
  group: 'single' | 'cluster';
  run(ctx: ScenarioContext): Promise<Metric[]>;
}
