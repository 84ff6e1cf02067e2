/**
 * Idle connections: open N clients spread over documents (at most 250 handshakes in flight),
 * time until all are synced, then let the server settle and read its RSS. RSS per connection is
 * (RSS with N idle clients − RSS before any) / N, so it includes each document's room, as a real
 * deployment pays it. Then 10,000 connections (time to open; a server that cannot is reported).
 */
import { execFileSync } from 'node:child_process';
import { connectMany } from '../lib/connect-many.js';
import { readRssBytes, waitForIdle } from '../lib/proc-stats.js';
import { sleep } from '../lib/wait.js';
import type { Metric, Scenario, ScenarioContext } from './scenario.js';

/** The open-file limit this process inherited (the servers inherit the same). */
function openFileLimit(): number {
  const out = execFileSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim();
  return out === 'unlimited' ? Infinity : Number(out);
}

async function openIdle(ctx: ScenarioContext, connections: number, docs: number): Promise<Metric[]> {
  const key = `idle${connections}`;
  const label = `${connections.toLocaleString('en-US')} idle connections over ${docs} docs`;
  const timeoutMs = connections > 5_000 ? 180_000 : 90_000;
  const server = await ctx.startServer();
  await waitForIdle(server.pid, { minWaitMs: 500, timeoutMs: 5_000 });
  const rssBefore = readRssBytes(server.pid);
  const docNames = Array.from({ length: connections }, (_, i) => `idle-${i % docs}`);
  const opened = await connectMany(ctx, server, docNames, { timeoutMs });
  let rssPerConnection: number | null = null;
  let note: string | undefined;
  let crashed = false;
  void server.exited.then(() => {
    crashed = true;
  });
  if (opened.openMs === null) {
    note = `only ${opened.synced}/${connections} synced within ${timeoutMs / 1000} s${crashed ? '; the server exited' : ''}`;
  } else {
    await sleep(1_000);
    await waitForIdle(server.pid, { windowMs: 1_000, timeoutMs: 20_000 });
    rssPerConnection = (readRssBytes(server.pid) - rssBefore) / connections;
  }
  ctx.log(`${key}: ${opened.synced}/${connections} synced${opened.openMs === null ? '' : ` in ${(opened.openMs / 1000).toFixed(1)} s`}`);
  ctx.disconnect(opened.clients);
  await server.stop();
  const metric = (id: string, what: string, unit: string, value: number | null): Metric => ({
    id: `${key}.${id}`,
    label: `${label}: ${what}`,
    unit,
    better: 'lower',
    value,
    ...(note ? { note } : {}),
  });
  return [metric('open', 'time until all synced', 's', opened.openMs === null ? null : opened.openMs / 1000), metric('rssPerConn', 'server RSS per connection', 'KB', rssPerConnection === null ? null : rssPerConnection / 1024)];
}

export const idleScenario: Scenario = {
  id: 'idle',
  title: 'Idle connections: memory per connection and time to open',
  group: 'single',
  async run(ctx) {
    const metrics = await openIdle(ctx, ctx.quick ? 400 : 2_000, ctx.quick ? 40 : 200);
    // Each connection costs one descriptor here and one in the server (same limit), plus slack.
    const large = ctx.quick ? 2_000 : 10_000;
    const limit = openFileLimit();
    if (limit < large + 500) {
      const note = `ulimit -n is ${limit}; raise it to open ${large} connections`;
      ctx.log(note);
      return [...metrics, { id: `idle${large}.open`, label: `${large} idle connections: time until all synced`, unit: 's', better: 'lower', value: null, note }];
    }
    return [...metrics, ...(await openIdle(ctx, large, large / 10))];
  },
};
