/**
 * @hocuspocus/server 4.7 under test. One process: SQLite extension, through its launcher
 * bench/peers/hocuspocus-server.ts. A cluster instance: its Redis extension plus the Database
 * extension over PostgreSQL (bench/peers/hocuspocus-redis-server.ts), in the cluster's
 * namespace (schema; Redis prefix without the trailing ':', which Hocuspocus adds itself).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { spawnServer, type ServerHandle } from './server-process.js';
import type { ServerLauncher, StartOptions } from './server-launcher.js';
import type { SharedNodeFlags } from './shebang-flags.js';
import { transpilePeer } from './transpile-peer.js';

let compiled: string | null = null;
let compiledCluster: string | null = null;

export function createHocuspocusLauncher(shared: SharedNodeFlags): ServerLauncher {
  return {
    get nodeFlags() {
      return shared.flags;
    },
    kind: 'hocuspocus',
    label: '@hocuspocus/server',
    usesSaveAck: false,
    clusterMode: 'instances with @hocuspocus/extension-redis, PostgreSQL through @hocuspocus/extension-database',
    prepare() {
      compiled = transpilePeer('hocuspocus-server');
      compiledCluster = transpilePeer('hocuspocus-redis-server');
    },
    start({ port, dataDir, env, cluster }: StartOptions): Promise<ServerHandle> {
      if (!compiled || !compiledCluster) throw new Error('hocuspocus launcher: prepare() was not called');
      mkdirSync(dataDir, { recursive: true });
      const base = { ...env, HOST: '127.0.0.1', PORT: String(port) };
      return spawnServer({
        kind: 'hocuspocus',
        port,
        dataDir,
        args: [...shared.flags, cluster ? compiledCluster : compiled],
        env: cluster
          ? {
              ...base,
              HOCUSPOCUS_DATABASE_URL: cluster.databaseUrl,
              HOCUSPOCUS_DATABASE_SCHEMA: cluster.schema,
              HOCUSPOCUS_REDIS_URL: cluster.redisUrl,
              HOCUSPOCUS_REDIS_PREFIX: cluster.keyPrefix.replace(/:$/, ''),
            }
          : { ...base, HOCUSPOCUS_SQLITE: path.join(dataDir, 'hocuspocus.sqlite') },
      });
    },
  };
}
