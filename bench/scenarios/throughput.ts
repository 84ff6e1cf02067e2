/**
 * Throughput cost: 20 documents × 5 clients; in each document the clients take turns typing one
 * character, and the next keystroke goes out once all 5 have the previous one (closed loop, so
 * the rate adapts to the server). Server CPU-seconds (/proc utime+stime) are counted from the
 * first edit until the server is idle again after the last — at least 3 s, so a debounced store
 * (Hocuspocus: 2 s) or a write backlog (y-leveldb) is paid for — and, for Tandem, until every
 * edit has its saved acknowledgement. Reported per 1,000 relayed edits.
 */
import { performance } from 'node:perf_hooks';
import { runClosedLoop } from '../lib/closed-loop.js';
import { connectMany } from '../lib/connect-many.js';
import { waitDurable } from '../lib/durable.js';
import { readCpuSeconds, readRssBytes, readWriteCalls, waitForIdle } from '../lib/proc-stats.js';
import { sleep } from '../lib/wait.js';
import type { Metric, Scenario } from './scenario.js';

const DOCS = 20;
const CLIENTS_PER_DOC = 5;

export const throughputScenario: Scenario = {
  id: 'throughput',
  title: 'Closed-loop throughput: server CPU per 1,000 relayed edits',
  group: 'single',
  async run(ctx) {
    const durationMs = ctx.quick ? 3_000 : 10_000;
    const server = await ctx.startServer();
    const docNames = Array.from({ length: DOCS * CLIENTS_PER_DOC }, (_, i) => `tp-${i % DOCS}`);
    const opened = await connectMany(ctx, server, docNames, { timeoutMs: 60_000 });
    if (opened.openMs === null) throw new Error(`only ${opened.synced}/${docNames.length} clients synced within 60 s`);
    await waitForIdle(server.pid, { minWaitMs: 500, timeoutMs: 10_000 });
    const groups = Array.from({ length: DOCS }, (_, d) => opened.clients.filter((_c, i) => i % DOCS === d));

    const cpuBefore = readCpuSeconds(server.pid);
    const writesBefore = readWriteCalls(server.pid);
    const eluBefore = performance.eventLoopUtilization();
    const start = performance.now();
    const counts = await Promise.all(groups.map((group, d) => runClosedLoop(group, { stopAt: start + durationMs, stallMs: 30_000, name: `tp-${d}` })));
    const loopMs = performance.now() - start;
    // A client event loop near 1.0 means the rate is client-bound (same process for every server).
    const clientElu = performance.eventLoopUtilization(eluBefore).utilization;
    const edits = counts.reduce((a, b) => a + b, 0);
    const durableMs = await waitDurable(opened.clients, ctx.launcher.usesSaveAck, 30_000);
    const idle = await waitForIdle(server.pid, { minWaitMs: 3_000, timeoutMs: 30_000 });
    const cpu = readCpuSeconds(server.pid) - cpuBefore;
    const writeCalls = readWriteCalls(server.pid) - writesBefore;
    const rss = readRssBytes(server.pid);
    ctx.log(
      `throughput: ${edits} edits in ${(loopMs / 1000).toFixed(1)} s, server CPU ${cpu.toFixed(2)} s, ` +
        `idle ${(idle.waitedMs / 1000).toFixed(1)} s after, client event loop ${(clientElu * 100).toFixed(0)} % busy`,
    );
    const notes = [
      durableMs === null && ctx.launcher.usesSaveAck ? 'not every edit acknowledged within 30 s' : '',
      idle.idle ? '' : 'server still busy 30 s after the last edit',
    ].filter(Boolean);
    ctx.disconnect(opened.clients);
    await sleep(100);
    await server.stop();
    const metric = (id: string, label: string, unit: string, better: 'lower' | 'higher', value: number): Metric => ({
      id: `throughput.${id}`,
      label: `throughput 20 docs × 5 clients: ${label}`,
      unit,
      better,
      value,
      ...(notes.length ? { note: notes.join('; ') } : {}),
    });
    return [
      metric('cpuPer1k', 'server CPU per 1,000 relayed edits', 'CPU-s', 'lower', (cpu / edits) * 1000),
      metric('rate', 'closed-loop edit rate', 'edits/s', 'higher', edits / (loopMs / 1000)),
      // Each keystroke must reach the document's 4 other clients before the next is typed, so no
      // server can merge two into one frame here: 4 socket writes per edit is the floor.
      metric('writesPerEdit', 'write calls per relayed edit (socket frames and store writes)', 'calls', 'lower', writeCalls / edits),
      metric('rss', 'server RSS after', 'MB', 'lower', rss / 2 ** 20),
    ];
  },
};
