/**
 * Tandem under test: the built CLI (`dist/server/cli.js serve`) with the node flags its first
 * line names (as the `tandem` command and `npm start` run it), LevelDB in a temp folder,
 * persistence always on, log level warn, default limits — except connections per client
 * address, because every benchmark client comes from 127.0.0.1 (the peers have no such limit).
 * It is set through the environment, which older builds without the option ignore.
 *
 * A cluster member gets the same command plus `--database-url --database-schema --redis-url
 * --redis-key-prefix` of its cluster's namespace, and counts as started once `/readyz` says 200
 * (store and Redis reachable). It keeps its own `--data-dir`, so a build that ignores the flags
 * runs as a lone LevelDB process (and the cluster scenarios then fail their convergence check).
 */
import { spawnServer, type ServerHandle } from './server-process.js';
import type { ServerLauncher, StartOptions } from './server-launcher.js';
import { SharedNodeFlags } from './shebang-flags.js';
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

export function createTandemLauncher(options: TandemLauncherOptions = {}, shared = new SharedNodeFlags()): ServerLauncher {
  let cli: string | null = null;
  let cliFlags: string[] = [];
  return {
    get nodeFlags() {
      return [...shared.flags, ...(options.nodeArgs ?? [])];
    },
    kind: 'tandem',
    label: options.ref ? `Tandem (${options.ref})` : 'Tandem',
    usesSaveAck: true,
    clusterMode: 'members sharing PostgreSQL and Redis',
    prepare(log) {
      cli = prepareTandemCli(options.ref, log);
      cliFlags = shared.setFrom(cli);
      if (cliFlags.length > 0) log(`Tandem runs with the node flags its CLI names: ${cliFlags.join(' ')}`);
    },
    start({ port, dataDir, env, cluster }: StartOptions): Promise<ServerHandle> {
      if (!cli) throw new Error('tandem launcher: prepare() was not called');
      const memberArgs = cluster
        ? ['--database-url', cluster.databaseUrl, '--database-schema', cluster.schema, '--redis-url', cluster.redisUrl, '--redis-key-prefix', cluster.keyPrefix]
        : [];
      return spawnServer({
        kind: 'tandem',
        port,
        dataDir,
        env: { ...BENCH_ENV, ...options.env, ...env },
        args: [
          ...cliFlags,
          ...(options.nodeArgs ?? []),
          cli,
          'serve',
          '--port',
          String(port),
          '--host',
          '127.0.0.1',
          '--data-dir',
          dataDir,
          '--log-level',
          'warn',
          ...memberArgs,
        ],
        ...(cluster ? { readyPath: '/readyz' } : {}),
      });
    },
  };
}
