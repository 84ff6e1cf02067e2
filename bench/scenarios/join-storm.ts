/**
 * Join storm: a 5 MB document is stored (a seeding client types it in 1,000 pieces of 5 KB, then
 * leaves and the server settles, so the document is cold), then 200 clients open it at once, from
 * a fresh client process for every server (see storm-clients-role.ts). Reports the time until
 * every one of them holds the full text, the server's peak RSS, and how many clients reported
 * "synced" before their content was there.
 */
import * as Y from 'yjs';
import { feedUpdates } from '../lib/feed.js';
import { readCpuSeconds, trackPeakRss, waitForIdle } from '../lib/proc-stats.js';
import { generateText } from '../lib/typing.js';
import { waitUntil } from '../lib/wait.js';
import { runStormClients, type StormResult } from '../roles/storm-clients-role.js';
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
  group: 'single',
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
    let storm: StormResult;
    try {
      storm = await runStormClients({
        kind: server.kind,
        wsUrl: server.wsUrl,
        docName: DOC,
        saveAck: ctx.launcher.usesSaveAck,
        clients: clientCount,
        bytes,
        timeoutMs: 120_000,
      });
    } finally {
      rss.stop();
    }
    const serverCpu = readCpuSeconds(server.pid) - cpuBefore;
    const peakRss = rss.peak();
    const stormMs = storm.completedAt === null ? null : storm.completedAt - storm.startedAt;
    const { early, correct } = storm;
    ctx.log(
      `joinstorm: ${storm.complete}/${clientCount} have ${bytes} bytes after ${stormMs === null ? 'timeout' : `${(stormMs / 1000).toFixed(1)} s`}; ` +
        `${early} synced early; server CPU ${serverCpu.toFixed(1)} s, client event loop ${(storm.clientLoadShare * 100).toFixed(0)} % busy`,
    );
    await server.stop();
    if (!correct) throw new Error('a client ended with different content');
    const label = `join storm, ${clientCount} clients × ${bytes / 1e6} MB doc`;
    return [
      {
        id: 'joinstorm.time',
        label: `${label}: until all have full content`,
        unit: 's',
        better: 'lower',
        value: stormMs === null ? null : stormMs / 1000,
        ...(stormMs === null ? { note: `${storm.complete}/${clientCount} complete after 120 s` } : {}),
      },
      { id: 'joinstorm.rss', label: `${label}: server peak RSS`, unit: 'MB', better: 'lower', value: peakRss / 2 ** 20 },
      { id: 'joinstorm.early', label: `${label}: clients "synced" before content`, unit: 'count', better: 'lower', value: early },
    ] satisfies Metric[];
  },
};
