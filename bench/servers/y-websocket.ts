/**
 * @y/websocket-server 0.1.1 under test: its own bin (src/server.js) with HOST/PORT, and
 * YPERSISTENCE=<dir>, which its utils.js turns into y-leveldb persistence of every update.
 */
import path from 'node:path';
import { spawnServer, type ServerHandle } from './server-process.js';
import type { ServerLauncher, StartOptions } from './server-launcher.js';
import type { SharedNodeFlags } from './shebang-flags.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const BIN = path.join(ROOT, 'node_modules', '@y', 'websocket-server', 'src', 'server.js');

export function createYWebsocketLauncher(shared: SharedNodeFlags): ServerLauncher {
  return {
    get nodeFlags() {
      return shared.flags;
    },
    kind: 'y-websocket',
    label: '@y/websocket-server',
    usesSaveAck: false,
    clusterMode: null,
    prepare() {},
    start({ port, dataDir, env }: StartOptions): Promise<ServerHandle> {
      return spawnServer({
        kind: 'y-websocket',
        port,
        dataDir,
        args: [...shared.flags, BIN],
        env: { ...env, HOST: '127.0.0.1', PORT: String(port), YPERSISTENCE: dataDir },
      });
    },
  };
}
