/**
 * Cluster members as real `tandem serve` child processes sharing one PostgreSQL schema and one
 * Redis key prefix, for the process-level cluster tests (kill -9, engine restarts). Members can
 * be killed and started again by index; dispose stops every process this helper started (by PID)
 * and drops the schema.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { startChildServer, type ChildServer } from './child-server.js';
import { waitFor } from './wait-for.js';

export interface ClusterProcessesOptions {
  count: number;
  databaseUrl: string;
  redisUrl: string;
  /** More `tandem serve` flags for every member. */
  extraArgs?: readonly string[];
}

export interface ClusterProcesses {
  readonly members: ChildServer[];
  readonly schema: string;
  readonly keyPrefix: string;
  /** SIGKILL, and wait for the exit. */
  kill(index: number): Promise<void>;
  /** Starts member `index` again (new port). */
  restart(index: number): Promise<ChildServer>;
  /** Resolves with /readyz's status code of member `index`. */
  readyStatus(index: number): Promise<number>;
  waitReady(index: number, timeoutMs?: number): Promise<void>;
  dispose(): Promise<void>;
}

export async function startClusterProcesses(options: ClusterProcessesOptions): Promise<ClusterProcesses> {
  const suffix = randomBytes(5).toString('hex');
  const schema = `tandem_cluster_${suffix}`;
  const keyPrefix = `tandem-test:cluster:${suffix}:`;
  const args = [
    '--database-url',
    options.databaseUrl,
    '--database-schema',
    schema,
    '--redis-url',
    options.redisUrl,
    '--redis-key-prefix',
    keyPrefix,
    '--data-dir',
    '/nonexistent-cluster-members-use-postgresql',
    ...(options.extraArgs ?? []),
  ];
  const members: ChildServer[] = [];
  const start = (): Promise<ChildServer> => startChildServer(args, 30_000);
  try {
    // All at once: members must migrate the schema safely when they start together.
    members.push(...(await Promise.all(Array.from({ length: options.count }, start))));
  } catch (error) {
    await Promise.all(members.map((member) => stopProcess(member)));
    await dropSchema(options.databaseUrl, schema);
    throw error;
  }
  const readyStatus = async (index: number): Promise<number> => {
    try {
      return (await fetch(`${members[index]!.url}/readyz`, { signal: AbortSignal.timeout(5_000) })).status;
    } catch {
      return 0;
    }
  };
  return {
    members,
    schema,
    keyPrefix,
    async kill(index) {
      const member = members[index]!;
      member.process.kill('SIGKILL');
      await member.exited;
    },
    async restart(index) {
      await stopProcess(members[index]!);
      members[index] = await start();
      return members[index];
    },
    readyStatus,
    async waitReady(index, timeoutMs = 15_000) {
      await waitFor(async () => (await readyStatus(index)) === 200, { timeoutMs, intervalMs: 100, message: `member ${index} ready` });
    },
    async dispose() {
      await Promise.all(members.map((member) => stopProcess(member)));
      await dropSchema(options.databaseUrl, schema);
    },
  };
}

async function stopProcess(member: ChildServer): Promise<void> {
  if (member.process.exitCode !== null || member.process.signalCode !== null) return;
  member.process.kill('SIGKILL');
  await member.exited;
}

async function dropSchema(databaseUrl: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  try {
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${client.escapeIdentifier(schema)} CASCADE`);
  } catch {
    // The database may be a private one the test already stopped: its folder goes with it.
  } finally {
    await client.end().catch(() => undefined);
  }
}
