/** What the scenarios need from a server under test, independent of which one it is. */
import type { ClusterNamespace } from '../lib/cluster-engines.js';
import type { ServerHandle, ServerKind } from './server-process.js';

export interface StartOptions {
  port: number;
  /** Empty folder for this server's storage; reuse it to restart on the same data. */
  dataDir: string;
  /** Extra environment (setup-only starts). */
  env?: Record<string, string>;
  /**
   * Start a cluster member sharing documents with every other member started with the same
   * namespace (only for launchers with a `clusterMode`).
   */
  cluster?: ClusterNamespace;
}

export interface ServerLauncher {
  kind: ServerKind;
  label: string;
  /** Tandem clients opt in to saved acknowledgements and scenarios wait for them. */
  usesSaveAck: boolean;
  /**
   * How this server's processes share documents when started with `cluster` (for reports), or
   * null when it has no cluster mode: cluster scenarios then measure it as one process only.
   */
  clusterMode: string | null;
  /** The `node` flags the server process starts with (the same for every server: shebang-flags.ts). */
  readonly nodeFlags: readonly string[];
  /** One-time work before the first start (a build, a transpile). */
  prepare(log: (line: string) => void): void;
  start(options: StartOptions): Promise<ServerHandle>;
}
