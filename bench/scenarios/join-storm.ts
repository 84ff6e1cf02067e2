/**
 * Join storm: a 5 MB document is stored (a seeding client types it in 1,000 pieces of 5 KB, then
 * leaves and the server settles, so the document is cold), then 200 clients open it at once.
 * Reports the time until every one of them holds the full text, the server's peak RSS, and how
 * many clients reported "synced" before their content was there.
 */
import { performance } from 'node:perf_hooks';
import * as Y from 'yjs';
import { feedUpdates } from '../lib/feed.js';
import { readCpuSeconds, trackPeakRss, waitForIdle } from '../lib/proc-stats.js';
import { generateText } from '../lib/typing.js';
import { waitUntil } from '../lib/wait.js';
import type { Metric, Scenario } from './scenario.js';

const DOC = 'storm';
const PIECE = 5_000;

function pieces(content: string): Uint8Array[] {
  const doc = new Y.Doc();
  const text = doc.getText('t');
  const updates: Uint8Array[] = [];
  doc.on('update', (update: Uint8Array) => updates.push(update));
  for (let i = 0; i < content.length; i += PIECE) text.insert(i, content.slice(i, i + PIECE));
  doc.destroy();
  return updates;
}

export const joinStormScenario: Scenario = {
  id: 'joinstorm',
  title: 'Join storm: 200 clients open a 5 MB document at once',
  async run(ctx) {
    const bytes = ctx.quick ? 1_000_000 : 5_000_000;
    const clientCount = ctx.quick ? 50 : 200;
    const content = generateText(bytes);
    const server = await ctx.startServer();
    const seeder = ctx.connect(server, DOC);
    await waitUntil(() => seeder.isSynced, { timeoutMs: 10_000 });
    await feedUpdates(seeder, pieces(content), { usesSaveAck: ctx.launcher.usesSaveAck, window: 200, timeoutMs: 120_000 });
    ctx.disconnect([seeder]);
    // Stores finish and the room unloads (Hocuspocus debounces its store by 2 s).
    await waitForIdle(server.pid, { minWaitMs: 3_000, timeoutMs: 60_000 });

    const rss = trackPeakRss(server.pid, 100);
    const cpuBefore = readCpuSeconds(server.pid);
    const eluBefore = performance.eventLoopUtilization();
    const start = performance.now();
    const clients = Array.from({ length: clientCount }, () => ctx.connect(server, DOC));
    const done = (): number => clients.reduce((n, c) => n + (c.text.length === bytes ? 1 : 0), 0);
    const complete = await waitUntil(() => done() === clientCount, { timeoutMs: 120_000, intervalMs: 5 });
    const stormMs = performance.now() - start;
    const serverCpu = readCpuSeconds(server.pid) - cpuBefore;
    // Near 100 % means the clients (one process, the same for every server) set the pace.
    const clientElu = performance.eventLoopUtilization(eluBefore).utilization;
    const peakRss = rss.peak();
    rss.stop();
    const correct = clients.every((c) => c.text.length !== bytes || c.text.toString() === content);
    const early = clients.filter((c) => c.lengthAtSync !== null && c.lengthAtSync < bytes).length;
    const finished = done();
    ctx.log(`joinstorm: ${finished}/${clientCount} have ${bytes} bytes after ${(stormMs / 1000).toFixed(1)} s; ${early} synced early; ` +
        `server CPU ${serverCpu.toFixed(1)} s, client event loop ${(clientElu * 100).toFixed(0)} % busy`);
    ctx.disconnect(clients);
    await server.stop();
    if (!correct) throw new Error('a client ended with different content');
    const label = `join storm, ${clientCount} clients × ${bytes / 1e6} MB doc`;
    return [
      {
        id: 'joinstorm.time',
        label: `${label}: until all have full content`,
        unit: 's',
        better: 'lower',
        value: complete ? stormMs / 1000 : null,
        ...(complete ? {} : { note: `${finished}/${clientCount} complete after 120 s` }),
      },
      { id: 'joinstorm.rss', label: `${label}: server peak RSS`, unit: 'MB', better: 'lower', value: peakRss / 2 ** 20 },
      { id: 'joinstorm.early', label: `${label}: clients "synced" before content`, unit: 'count', better: 'lower', value: early },
    ] satisfies Metric[];
  },
};
