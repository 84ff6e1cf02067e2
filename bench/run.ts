/**
 * `npm run bench [-- --scenario a,b] [--server tandem,hocuspocus] [--quick]`
 *
 * Runs each scenario against each server in turn (never two servers at once): a fresh server
 * process on 127.0.0.1 and a fresh data folder, real clients in this process. Writes
 * bench/results/latest.json, latest.md and chart.svg, and prints the markdown table.
 * Cluster scenarios (`--scenario cluster`) need the machine's PostgreSQL and Redis (DATABASE_URL /
 * REDIS_URL, read here once) and run only when named; their full run writes cluster.*.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { renderChart } from './lib/chart.js';
import { engineUrlsFromEnv } from './lib/cluster-engines.js';
import { renderMarkdown } from './lib/report.js';
import { addMetrics, describeMachine, type BenchResults, type MetricRow } from './lib/results.js';
import { createScenarioContext } from './lib/run-context.js';
import { SCENARIOS } from './scenarios/index.js';
import { createLaunchers, SERVER_KINDS } from './servers/index.js';
import { killStartedServers } from './servers/server-process.js';
import { describeTandemCommit } from './servers/tandem-build.js';

const RESULTS_DIR = path.join(import.meta.dirname, 'results');
/** Hard ceiling for the whole run; every scenario also bounds its own waits. */
const RUN_TIMEOUT_MS = 30 * 60_000;

const USAGE = `Usage: npm run bench -- [options]
  --scenario <ids>   comma-separated: ${SCENARIOS.map((s) => s.id).join(', ')}
                     (default: every one but the cluster ones; 'cluster' names both cluster scenarios,
                     which need PostgreSQL and Redis: DATABASE_URL / REDIS_URL or 127.0.0.1 defaults)
  --server <kinds>   comma-separated: ${SERVER_KINDS.join(', ')} (default: all)
  --tandem-ref <ref> build and measure this git commit of Tandem (default: the working tree)
  --tandem-env K=V   extra environment for the Tandem server (repeatable), e.g. to try a limit
  --tandem-node-arg  extra node flag for the Tandem server (repeatable), e.g. --tandem-node-arg=--cpu-prof
  --clients <n,n>    client counts for scenarios that take them (hot-doc: default 250,500,1000)
  --quick            smaller counts and shorter runs, for smoke-testing
  --help`;

function pick<T extends { id?: string; kind?: string }>(all: readonly T[], wanted: string | undefined, key: 'id' | 'kind'): T[] {
  if (!wanted) return [...all];
  const ids = wanted.split(',').map((s) => s.trim()).filter(Boolean);
  for (const id of ids) {
    if (!all.some((item) => item[key] === id)) throw new Error(`unknown ${key === 'id' ? 'scenario' : 'server'} '${id}'\n${USAGE}`);
  }
  return all.filter((item) => ids.includes(item[key] as string));
}

function parseEnvPairs(pairs: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new Error(`--tandem-env wants KEY=VALUE, got '${pair}'`);
    env[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return env;
}

function log(line: string): void {
  process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      scenario: { type: 'string' },
      server: { type: 'string' },
      quick: { type: 'boolean', default: false },
      clients: { type: 'string' },
      'tandem-ref': { type: 'string' },
      'tandem-env': { type: 'string', multiple: true },
      'tandem-node-arg': { type: 'string', multiple: true },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const wanted = values.scenario?.replace(/(^|,)\s*cluster\s*(?=,|$)/, (_m, comma: string) =>
    `${comma}${SCENARIOS.filter((s) => s.group === 'cluster').map((s) => s.id).join(',')}`,
  );
  const scenarios = wanted ? pick(SCENARIOS, wanted, 'id') : SCENARIOS.filter((s) => s.group === 'single');
  const engines = engineUrlsFromEnv(process.env);
  const tandemRef = values['tandem-ref'];
  const tandemEnv = parseEnvPairs(values['tandem-env'] ?? []);
  const tandemOptions = { ...(tandemRef ? { ref: tandemRef } : {}), env: tandemEnv, nodeArgs: values['tandem-node-arg'] ?? [] };
  const launchers = pick(createLaunchers(tandemOptions), values.server, 'kind');
  const quick = values.quick ?? false;
  const clientCounts = values.clients ? values.clients.split(',').map((n) => Number(n.trim())) : null;
  if (clientCounts?.some((n) => !Number.isInteger(n) || n < 2)) throw new Error(`--clients wants whole numbers ≥ 2, got '${values.clients}'\n${USAGE}`);
  for (const launcher of launchers) launcher.prepare(log);

  const started = Date.now();
  // Other work on the machine moves every figure; the report says how busy it was.
  const loadAtStart = os.loadavg()[0]!;
  const workDir = await mkdtemp(path.join(tmpdir(), 'tandem-bench-'));
  const rows: MetricRow[] = [];
  try {
    for (const scenario of scenarios) {
      for (const launcher of launchers) {
        log(`${scenario.id} on ${launcher.label}…`);
        const managed = createScenarioContext({ launcher, quick, clientCounts, workDir, log, engines });
        const { ctx } = managed;
        try {
          addMetrics(rows, scenario.id, launcher.kind, await scenario.run(ctx));
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          log(`${scenario.id} on ${launcher.label} failed: ${message}`);
          addMetrics(rows, scenario.id, launcher.kind, [
            { id: `${scenario.id}.error`, label: `${scenario.id}: failed`, unit: 'count', better: 'lower', value: null, note: message.split('\n')[0] ?? message },
          ]);
        } finally {
          await managed.cleanup();
          global.gc?.();
        }
      }
    }
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }

  const results: BenchResults = {
    startedAt: new Date(started).toISOString(),
    durationSeconds: (Date.now() - started) / 1000,
    quick,
    machine: { ...describeMachine(), load: { atStart: loadAtStart, atEnd: os.loadavg()[0]! } },
    servers: launchers.map((l) => ({ kind: l.kind, label: l.label, clusterMode: l.clusterMode, nodeFlags: [...l.nodeFlags] })),
    scenarios: scenarios.map((s) => s.id),
    tandem: { ref: tandemRef ?? 'working tree', commit: describeTandemCommit(tandemRef), env: tandemEnv, nodeArgs: tandemOptions.nodeArgs },
    rows,
  };
  const markdown = renderMarkdown(results);
  // Only a full run (every scenario of its group at its own counts, every server — for the cluster group, every
  // server with a cluster mode — full counts) replaces the committed results; a partial or quick
  // run writes beside them, so trying one scenario cannot clobber the table.
  const isGroup = (group: 'single' | 'cluster'): boolean => {
    const ids = SCENARIOS.filter((s) => s.group === group).map((s) => s.id);
    return scenarios.length === ids.length && scenarios.every((s) => ids.includes(s.id));
  };
  const clusterKinds = createLaunchers().filter((l) => l.clusterMode !== null).map((l) => l.kind);
  const stem = quick || clientCounts
    ? 'partial'
    : isGroup('single') && launchers.length === SERVER_KINDS.length
      ? 'latest'
      : isGroup('cluster') && clusterKinds.every((kind) => launchers.some((l) => l.kind === kind))
        ? 'cluster'
        : 'partial';
  await mkdir(RESULTS_DIR, { recursive: true });
  await writeFile(path.join(RESULTS_DIR, `${stem}.json`), `${JSON.stringify(results, null, 2)}\n`);
  await writeFile(path.join(RESULTS_DIR, `${stem}.md`), markdown);
  await writeFile(path.join(RESULTS_DIR, `${stem === 'latest' ? 'chart' : `${stem}-chart`}.svg`), renderChart(results));
  process.stdout.write(`\n${markdown}`);
  log(`wrote ${path.relative(process.cwd(), RESULTS_DIR)}/${stem}.json, ${stem}.md and the chart`);
}

// Every y-websocket provider adds a process 'exit' listener; thousands of clients are intended.
process.setMaxListeners(0);

const watchdog = setTimeout(() => {
  log(`bench exceeded ${RUN_TIMEOUT_MS / 60_000} minutes; killing the servers it started and exiting`);
  killStartedServers();
  process.exit(2);
}, RUN_TIMEOUT_MS);
watchdog.unref();
process.once('SIGINT', () => {
  killStartedServers();
  process.exit(130);
});

main().then(
  () => process.exit(0),
  (error: unknown) => {
    log(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
