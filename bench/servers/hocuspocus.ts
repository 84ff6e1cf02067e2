/**
 * @hocuspocus/server 4.7 + SQLite under test, through its launcher bench/peers/hocuspocus-server.ts.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { spawnServer, type ServerHandle } from './server-process.js';
import type { ServerLauncher, StartOptions } from './server-launcher.js';
import { transpilePeer } from './transpile-peer.js';

let compiled: string | null = null;

export const hocuspocusLauncher: ServerLauncher = {
  kind: 'hocuspocus',
  label: '@hocuspocus/server',
  usesSaveAck: false,
  prepare() {
    compiled = transpilePeer('hocuspocus-server');
  },
  start({ port, dataDir, env }: StartOptions): Promise<ServerHandle> {
    if (!compiled) throw new Error('hocuspocus launcher: prepare() was not called');
    mkdirSync(dataDir, { recursive: true });
    return spawnServer({
      kind: 'hocuspocus',
      port,
      dataDir,
      args: [compiled],
      env: { ...env, HOST: '127.0.0.1', PORT: String(port), HOCUSPOCUS_SQLITE: path.join(dataDir, 'hocuspocus.sqlite') },
    });
  },
};
