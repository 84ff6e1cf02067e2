/** What the scenarios need from a server under test, independent of which one it is. */
import type { ServerHandle, ServerKind } from './server-process.js';

export interface StartOptions {
  port: number;
  /** Empty folder for this server's storage; reuse it to restart on the same data. */
  dataDir: string;
  /** Extra environment (setup-only starts). */
  env?: Record<string, string>;
}

export interface ServerLauncher {
  kind: ServerKind;
  label: string;
  /** Tandem clients opt in to saved acknowledgements and scenarios wait for them. */
  usesSaveAck: boolean;
  /** One-time work before the first start (a build, a transpile). */
  prepare(log: (line: string) => void): void;
  start(options: StartOptions): Promise<ServerHandle>;
}
