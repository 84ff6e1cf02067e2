/**
 * Cold load of a long history: 200,000 keystrokes, one update each, are stored the way each
 * server stores what it receives, the server is restarted, and a fresh client opens the document:
 * time from connect until it holds the full text. Also records whether the client reported
 * "synced" before the content was there (characters missing at that moment).
 *
 * How the history gets stored (setup, not measured):
 * - Tandem: one update message per keystroke through a real client, windowed on saved acks, then
 *   a graceful stop. Setup lifts its per-connection message rate limit so it takes seconds, not
 *   minutes; the measured restart runs with defaults.
 * - @y/websocket-server: y-leveldb records written offline, one per keystroke (lib/y-leveldb-seed).
 * - Hocuspocus: it stores one snapshot of the whole document, whatever the history's arrival, so
 *   the history goes in as 200 merged batches, then SIGTERM (its handler stores before exiting).
 * - Bare relay (reference): the final state as one file, the least any store could hold.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as Y from 'yjs';
import type { BenchClient } from '../clients/bench-client.js';
import { diskUsageBytes } from '../lib/disk-usage.js';
import { feedUpdates } from '../lib/feed.js';
import { generateTyping, type TypingHistory } from '../lib/typing.js';
import { waitUntil } from '../lib/wait.js';
import { seedYLeveldb } from '../lib/y-leveldb-seed.js';
import type { ServerHandle } from '../servers/server-process.js';
import type { Scenario, ScenarioContext } from './scenario.js';

const DOC = 'cold-history';
let cached: TypingHistory | null = null;

function history(keystrokes: number): TypingHistory {
  if (cached?.updates.length !== keystrokes) cached = generateTyping(keystrokes);
  return cached;
}

function mergeInBatches(updates: readonly Uint8Array[], batches: number): Uint8Array[] {
  const size = Math.ceil(updates.length / batches);
  const out: Uint8Array[] = [];
  for (let i = 0; i < updates.length; i += size) out.push(Y.mergeUpdates(updates.slice(i, i + size)));
  return out;
}

async function store(ctx: ScenarioContext, dataDir: string, h: TypingHistory): Promise<void> {
  const kind = ctx.launcher.kind;
  if (kind === 'y-websocket') {
    await seedYLeveldb(dataDir, DOC, h.updates);
    return;
  }
  if (kind === 'bare-relay') {
    await writeFile(path.join(dataDir, `${DOC}.update`), h.finalState);
    return;
  }
  const server: ServerHandle = await ctx.startServer(dataDir, kind === 'tandem' ? { TANDEM_MAX_MESSAGES_PER_SECOND: '1000000' } : {});
  const writer = ctx.connect(server, DOC);
  await waitUntil(() => writer.isSynced, { timeoutMs: 10_000 });
  const updates = kind === 'tandem' ? h.updates : mergeInBatches(h.updates, 200);
  await feedUpdates(writer, updates, { usesSaveAck: ctx.launcher.usesSaveAck, window: 2_000, timeoutMs: 180_000 });
  ctx.disconnect([writer]);
  const code = await server.stop(60_000);
  if (code !== 0) throw new Error(`${kind} exited with ${code} after storing the history`);
}

export const coldLoadScenario: Scenario = {
  id: 'coldload',
  title: 'Cold load of a 200,000-keystroke history after a restart',
  group: 'single',
  async run(ctx) {
    const keystrokes = ctx.quick ? 20_000 : 200_000;
    const h = history(keystrokes);
    const dataDir = await ctx.newDataDir();
    const storeStart = performance.now();
    await store(ctx, dataDir, h);
    const storeMs = performance.now() - storeStart;
    const bytesOnDisk = await diskUsageBytes(dataDir);

    const server = await ctx.startServer(dataDir);
    const start = performance.now();
    const client: BenchClient = ctx.connect(server, DOC);
    const complete = (): boolean => client.text.length === h.content.length && client.text.toString() === h.content;
    const loaded = await waitUntil(complete, { timeoutMs: 60_000, intervalMs: 2 });
    const loadMs = performance.now() - start;
    const missingAtSync = client.lengthAtSync === null ? null : Math.max(0, h.content.length - client.lengthAtSync);
    ctx.log(
      `coldload: stored ${keystrokes} keystrokes in ${(storeMs / 1000).toFixed(1)} s (${(bytesOnDisk / 2 ** 20).toFixed(1)} MB on disk); ` +
        `load ${loaded ? `${loadMs.toFixed(0)} ms` : 'timed out'}; synced with ${client.lengthAtSync ?? 'never'}/${h.content.length} chars`,
    );
    ctx.disconnect([client]);
    await server.stop();
    const label = `cold load, ${keystrokes.toLocaleString('en-US')}-keystroke history`;
    return [
      {
        id: 'coldload.time',
        label: `${label}: restart → fresh client has full content`,
        unit: 's',
        better: 'lower',
        value: loaded ? loadMs / 1000 : null,
        ...(loaded ? {} : { note: 'content incomplete after 60 s' }),
      },
      {
        id: 'coldload.missingAtSync',
        label: `${label}: characters missing when "synced" fired`,
        unit: 'count',
        better: 'lower',
        value: missingAtSync,
        ...(missingAtSync ? { note: `"synced" fired with ${client.lengthAtSync}/${h.content.length} characters` } : {}),
      },
      { id: 'coldload.disk', label: `${label}: stored on disk before restart`, unit: 'MB', better: 'lower', value: bytesOnDisk / 2 ** 20 },
    ];
  },
};
