/**
 * The bare relay (bench/peers/bare-relay-server.ts): a reference column, not a peer. It shows
 * what ws, Node and the clients cost on their own, so a target below it is out of any server's
 * reach on this harness. It is never the "best peer" of a ratio.
 */
import { mkdirSync } from 'node:fs';
import { spawnServer, type ServerHandle } from './server-process.js';
import type { ServerLauncher, StartOptions } from './server-launcher.js';
import type { SharedNodeFlags } from './shebang-flags.js';
import { transpilePeer } from './transpile-peer.js';

let compiled: string | null = null;

export function createBareRelayLauncher(shared: SharedNodeFlags): ServerLauncher {
  return {
    get nodeFlags() {
      return shared.flags;
    },
    kind: 'bare-relay',
    label: 'bare relay (reference)',
    usesSaveAck: false,
    clusterMode: null,
    prepare() {
      compiled = transpilePeer('bare-relay-server');
    },
    start({ port, dataDir, env }: StartOptions): Promise<ServerHandle> {
      if (!compiled) throw new Error('bare relay launcher: prepare() was not called');
      mkdirSync(dataDir, { recursive: true });
      return spawnServer({
        kind: 'bare-relay',
        port,
        dataDir,
        args: [...shared.flags, compiled],
        env: { ...env, HOST: '127.0.0.1', PORT: String(port), BARE_RELAY_DATA_DIR: dataDir },
      });
    },
  };
}
