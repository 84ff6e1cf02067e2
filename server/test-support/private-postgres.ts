/**
 * A PostgreSQL server of the test's own, for fault tests that stop and restart the database
 * without touching the machine's: a cluster made by `initdb` (trust auth, once per test process,
 * then copied) in a temp folder, `postgres` on 127.0.0.1 at a free port with its socket in that
 * folder, and a database `test`.
 *
 * PostgreSQL refuses to run as root. When the tests run as root, initdb and postgres run as the
 * `postgres` user (which Debian's postgresql package creates) through spawn's uid/gid, and the
 * temp folder is handed to that user. `postgres` is started directly rather than via `pg_ctl
 * start`, so the PID we hold is the postmaster's own: stop signals exactly that PID.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { chown, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import {
  cleanUpAtProcessEnd,
  launchOnFreePort,
  isExecutable,
  PrivateEngineError,
  runToCompletion,
  spawnEngine,
  waitUntilReady,
  type EngineProcess,
} from './engine-process.js';

export interface PrivatePostgresOptions {
  /** Folder holding initdb and postgres; default the newest /usr/lib/postgresql/<version>/bin. */
  binDir?: string;
  startTimeoutMs?: number;
}

/** How to stop: 'fast' (SIGINT: clean shutdown, clients cut off) or 'immediate' (SIGQUIT: a crash, recovery on start). */
export type PostgresStopMode = 'fast' | 'immediate';

export interface PrivatePostgres {
  readonly host: '127.0.0.1';
  readonly port: number;
  /** `postgres://postgres@127.0.0.1:<port>/test` (trust auth). */
  readonly url: string;
  readonly pid: number | null;
  readonly isRunning: boolean;
  stop(options?: { mode?: PostgresStopMode }): Promise<void>;
  /** Starts again on the same port and data folder. */
  start(): Promise<void>;
  /** Stops it and deletes its folder. */
  dispose(): Promise<void>;
}

const DEBIAN_ROOT = '/usr/lib/postgresql';
const STOP_SIGNALS: Record<PostgresStopMode, NodeJS.Signals> = { fast: 'SIGINT', immediate: 'SIGQUIT' };

export async function startPrivatePostgres(options: PrivatePostgresOptions = {}): Promise<PrivatePostgres> {
  const binDir = options.binDir ?? newestDebianBinDir();
  for (const tool of ['initdb', 'postgres']) {
    if (!isExecutable(path.join(binDir, tool))) {
      throw new PrivateEngineError('engine-missing', `${path.join(binDir, tool)} not found: install the Debian package postgresql (apt-get install -y postgresql)`);
    }
  }
  const user = unprivilegedUser();
  const dir = await mkdtemp(path.join(tmpdir(), 'tandem-pg-'));
  const forgetDir = cleanUpAtProcessEnd(() => rmSync(dir, { recursive: true, force: true }));
  const dataDir = path.join(dir, 'data');
  const socketDir = path.join(dir, 'socket');
  const timeoutMs = options.startTimeoutMs ?? 30_000;
  let engine: EngineProcess | null = null;
  let port = 0;

  const launch = async (): Promise<void> => {
    const args = ['-D', dataDir, '-p', String(port), '-k', socketDir, '-c', 'listen_addresses=127.0.0.1'];
    // Power loss is not under test, process crashes are: no fsync, but synchronous_commit stays
    // on, so a commit is in the OS before it returns and survives an 'immediate' stop.
    args.push('-c', 'fsync=off', '-c', 'full_page_writes=off', '-c', 'max_connections=50');
    const started = await spawnEngine({ command: path.join(binDir, 'postgres'), args, cwd: dir, ...user });
    engine = started;
    await waitUntilReady(started, `postgres on port ${port}`, () => query(port, 'postgres', 'SELECT 1'), timeoutMs);
  };

  try {
    await mkdir(socketDir);
    if (user.uid !== undefined) {
      await chown(dir, user.uid, user.gid!);
      await chown(socketDir, user.uid, user.gid!);
    }
    // Copied as the engine's user, so ownership and the 0700 mode postgres insists on carry over.
    const template = await clusterTemplate(binDir, user);
    await runToCompletion({ command: 'cp', args: ['-a', template, dataDir], cwd: dir, ...user });
    port = await launchOnFreePort(async (free) => {
      port = free;
      await launch();
    });
    await query(port, 'postgres', 'CREATE DATABASE test');
  } catch (error) {
    await (engine as EngineProcess | null)?.stop('SIGQUIT'); // assigned inside launch()
    await rm(dir, { recursive: true, force: true });
    forgetDir();
    throw error;
  }

  const stop = async ({ mode = 'fast' }: { mode?: PostgresStopMode } = {}): Promise<void> => {
    await engine?.stop(STOP_SIGNALS[mode]);
  };
  return {
    host: '127.0.0.1',
    get port() {
      return port;
    },
    get url() {
      return `postgres://postgres@127.0.0.1:${port}/test`;
    },
    get pid() {
      return engine?.isRunning ? engine.pid : null;
    },
    get isRunning() {
      return engine?.isRunning ?? false;
    },
    stop,
    async start() {
      if (engine?.isRunning) throw new Error(`private postgres on port ${port} is already running`);
      await launch();
    },
    async dispose() {
      try {
        await stop();
      } finally {
        await rm(dir, { recursive: true, force: true });
        forgetDir();
      }
    },
  };
}

/**
 * initdb takes seconds, most of a start: run it once per test process and binary folder, and copy
 * the result for each server. Deleted when the process exits.
 */
const templates = new Map<string, Promise<string>>();

function clusterTemplate(binDir: string, user: { uid?: number; gid?: number }): Promise<string> {
  let template = templates.get(binDir);
  if (!template) {
    template = (async () => {
      const dir = await mkdtemp(path.join(tmpdir(), 'tandem-pg-template-'));
      cleanUpAtProcessEnd(() => rmSync(dir, { recursive: true, force: true }));
      if (user.uid !== undefined) await chown(dir, user.uid, user.gid!);
      const dataDir = path.join(dir, 'data');
      const args = ['-D', dataDir, '--auth=trust', '--username=postgres', '--encoding=UTF8', '--locale=C', '--no-sync'];
      await runToCompletion({ command: path.join(binDir, 'initdb'), args, cwd: dir, ...user });
      return dataDir;
    })();
    templates.set(binDir, template);
    // A failed initdb is reported to this caller and retried by the next.
    template.catch(() => templates.delete(binDir));
  }
  return template;
}

function newestDebianBinDir(): string {
  let versions: string[] = [];
  try {
    versions = readdirSync(DEBIAN_ROOT).filter((entry) => isExecutable(path.join(DEBIAN_ROOT, entry, 'bin', 'initdb')));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const newest = versions.sort((x, y) => Number(y) - Number(x))[0];
  if (newest === undefined) {
    throw new PrivateEngineError(
      'engine-missing',
      `PostgreSQL server binaries not found (${DEBIAN_ROOT}/<version>/bin/initdb): install the Debian package postgresql (apt-get install -y postgresql)`,
    );
  }
  return path.join(DEBIAN_ROOT, newest, 'bin');
}

/** As root: the `postgres` user's ids; otherwise nothing (run as ourselves). */
function unprivilegedUser(): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {};
  let entry: string;
  try {
    entry = execFileSync('getent', ['passwd', 'postgres'], { encoding: 'utf8' });
  } catch (error) {
    throw new PrivateEngineError(
      'engine-failed',
      'running as root, and PostgreSQL refuses to run as root, but there is no "postgres" user to run it as: install the Debian package postgresql (it creates the user)',
      { cause: error },
    );
  }
  const [, , uid, gid] = entry.trim().split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

async function query(port: number, database: string, sql: string): Promise<void> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database, connectionTimeoutMillis: 2_000 });
  // A connection the server cuts (a shutdown while probing) also rejects the pending call below,
  // which is what reports it; without a listener the 'error' event would crash the test process.
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query(sql);
  } finally {
    await client.end();
  }
}
