/**
 * @hocuspocus/server with its SQLite extension, as documented: `new Server({ port, address,
 * extensions: [new SQLite({ database })] })` then `listen()`. Its own SIGTERM handler
 * (`stopOnSignals`, default on) stores pending documents before exiting. Default debounce
 * (2 s, max 10 s) — the configuration a team gets out of the box.
 *
 * Env: PORT, HOST (default 127.0.0.1), HOCUSPOCUS_SQLITE (database file).
 */
import { Server } from '@hocuspocus/server';
import { SQLite } from '@hocuspocus/extension-sqlite';

const port = Number(process.env.PORT ?? '1234');
const address = process.env.HOST ?? '127.0.0.1';
const database = process.env.HOCUSPOCUS_SQLITE;
if (!database) throw new Error('HOCUSPOCUS_SQLITE must name the SQLite database file');

const server = new Server({
  port,
  address,
  quiet: true,
  extensions: [new SQLite({ database })],
});

await server.listen();
process.stdout.write(`hocuspocus listening on ${address}:${port}\n`);
