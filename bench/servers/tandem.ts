/**
 * Tandem under test: the built CLI (`dist/server/cli.js serve`) with the node flags its first
 * line names (as the `tandem` command and `npm start` run it), LevelDB in a temp folder,
 * persistence always on, log level warn, default limits — except connections per client
 * address, because every benchmark client comes from 127.0.0.1 (the peers have no such limit).
 * It is set through the environment, which older builds without the option ignore.
 */
import { spawnServer, type ServerHandle } from './server-process.js';
import type { ServerLauncher, StartOptions } from './server-launcher.js';
import { nodeFlagsFromShebang } from './shebang-flags.js';
import { prepareTandemCli } from './tandem-build.js';

/** Lifted for load from one address; everything else stays at its default. */
const BENCH_ENV = { TANDEM_MAX_CONNECTIONS_PER_IP: '1000000' };

export interface TandemLauncherOptions {
  /** Git ref to build and run instead of the working tree. */
  ref?: string;
  env?: Record<string, string>;
  /** Extra `node` flags for the server, e.g. ['--cpu-prof', '--cpu-prof-dir=/tmp/prof']. */
  nodeArgs?: string[];
}

export function createTandemLauncher(options: TandemLauncherOptions = {}): ServerLauncher {
  let cli: string | null = null;
  let cliFlags: string[] = [];
  return {
    kind: 'tandem',
    label: options.ref ? `Tandem (${options.ref})` : 'Tandem',
    usesSaveAck: true,
    prepare(log) {
      cli = prepareTandemCli(options.ref, log);
      cliFlags = nodeFlagsFromShebang(cli);
      if (cliFlags.length > 0) log(`Tandem runs with the node flags its CLI names: ${cliFlags.join(' ')}`);
    },
    start({ port, dataDir, env }: StartOptions): Promise<ServerHandle> {
      if (!cli) throw new Error('tandem launcher: prepare() was not called');
      return spawnServer({
        kind: 'tandem',
        port,
        dataDir,
        env: { ...BENCH_ENV, ...options.env, ...env },
        args: [...cliFlags, ...(options.nodeArgs ?? []), cli, 'serve', '--port', String(port), '--host', '127.0.0.1', '--data-dir', dataDir, '--log-level', 'warn'],
      });
    },
  };
}
