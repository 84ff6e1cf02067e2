/**
 * The cost of the HTTP fallback transport (Tandem only: the other servers have none). One
 * WebSocket writer types a character every 20 ms; a WebSocket reader and an HTTP-fallback reader
 * (HttpSyncProvider: streamed response downstream) record when each keystroke arrives, in the same
 * run (and the requests the HTTP reader makes meanwhile: one stream for the whole run). Then an HTTP-fallback writer types at the same pace to a WebSocket reader: its latency, and
 * the HTTP requests it makes per edit (POSTs are sent one at a time; what is typed while one is in
 * flight goes in the next).
 */
import * as Y from 'yjs';
import { HttpSyncProvider } from '../../client/transport/http-sync-provider.js';
import type { BenchClient } from '../clients/bench-client.js';
import { summarize } from '../lib/percentiles.js';
import { sleep, waitUntil } from '../lib/wait.js';
import type { Metric, Scenario, ScenarioContext } from './scenario.js';

const INTERVAL_MS = 20;
const WARMUP_EDITS = 25;

/** Arrival latency of one writer's appended characters at each reader, per reader. */
function recordArrivals(writer: Y.Text, readers: Y.Text[]): { write(): void; samples: number[][]; delivered(): boolean; measureFrom(n: number): void } {
  const sent: number[] = [];
  const base = writer.length;
  const samples = readers.map(() => [] as number[]);
  let from = 0;
  readers.forEach((text, r) => {
    let seen = text.length - base;
    text.observe(() => {
      const now = performance.now();
      const reached = text.length - base;
      for (let i = Math.max(seen, from); i < reached && i < sent.length; i++) samples[r]!.push(now - sent[i]!);
      seen = Math.max(seen, reached);
    });
  });
  return {
    write() {
      sent.push(performance.now());
      writer.insert(writer.length, 'x');
    },
    samples,
    delivered: () => readers.every((text) => text.length - base === sent.length),
    measureFrom(n: number) {
      from = n;
    },
  };
}

async function type(recorder: ReturnType<typeof recordArrivals>, edits: number): Promise<void> {
  const start = performance.now();
  for (let i = 0; i < edits; i++) {
    const wait = start + i * INTERVAL_MS - performance.now();
    if (wait > 0) await sleep(wait);
    if (i === WARMUP_EDITS) recorder.measureFrom(i);
    recorder.write();
  }
  await waitUntil(() => recorder.delivered(), { timeoutMs: 10_000 });
}

function connectHttp(serverUrl: string, docName: string): { provider: HttpSyncProvider; text: Y.Text } {
  const doc = new Y.Doc();
  const provider = new HttpSyncProvider(docName, doc, { serverUrl, saveAck: true });
  return { provider, text: doc.getText('t') };
}

async function run(ctx: ScenarioContext): Promise<Metric[]> {
  const metric = (id: string, label: string, unit: string, value: number | null, note?: string): Metric => ({
    id: `httpFallback.${id}`,
    label: `HTTP fallback (Tandem only): ${label}`,
    unit,
    better: 'lower',
    value,
    ...(note ? { note } : {}),
  });
  const labels: Array<[string, string, string]> = [
    ['wsP50', 'WS writer → WS reader p50', 'ms'],
    ['wsP99', 'WS writer → WS reader p99', 'ms'],
    ['httpP50', 'WS writer → HTTP reader p50', 'ms'],
    ['httpP99', 'WS writer → HTTP reader p99', 'ms'],
    ['upP50', 'HTTP writer → WS reader p50', 'ms'],
    ['upP99', 'HTTP writer → WS reader p99', 'ms'],
    ['requestsPerEdit', 'HTTP requests per edit (HTTP writer)', 'count'],
    ['readerRequestsPerEdit', 'HTTP requests per edit (HTTP reader)', 'count'],
  ];
  if (ctx.launcher.kind !== 'tandem') return labels.map(([id, label, unit]) => metric(id, label, unit, null));
  const server = await ctx.startServer();
  const serverUrl = server.wsUrl.replace(/^ws/, 'http');
  const edits = WARMUP_EDITS + (ctx.quick ? 100 : 1_000);
  const writer: BenchClient = ctx.connect(server, 'fallback');
  const wsReader: BenchClient = ctx.connect(server, 'fallback');
  const httpReader = connectHttp(serverUrl, 'fallback');
  try {
    await waitUntil(() => writer.isSynced && wsReader.isSynced && httpReader.provider.synced, { timeoutMs: 30_000 });
    const readerRequestsBefore = httpReader.provider.transport!.requests;
    const down = recordArrivals(writer.text, [wsReader.text, httpReader.text]);
    await type(down, edits);
    const readerRequests = httpReader.provider.transport!.requests - readerRequestsBefore;
    const [ws, http] = down.samples.map(summarize) as [ReturnType<typeof summarize>, ReturnType<typeof summarize>];

    const httpWriter = connectHttp(serverUrl, 'fallback-up');
    const upReader: BenchClient = ctx.connect(server, 'fallback-up');
    await waitUntil(() => httpWriter.provider.synced && upReader.isSynced, { timeoutMs: 30_000 });
    const requestsBefore = httpWriter.provider.transport!.requests;
    const up = recordArrivals(httpWriter.text, [upReader.text]);
    await type(up, edits);
    const requests = httpWriter.provider.transport!.requests - requestsBefore;
    const upLatency = summarize(up.samples[0]!);
    httpWriter.provider.destroy();
    ctx.log(`http-fallback: ${edits} edits; reader p50/p99 ws ${ws.p50.toFixed(1)}/${ws.p99.toFixed(1)} ms, http ${http.p50.toFixed(1)}/${http.p99.toFixed(1)} ms; writer http→ws ${upLatency.p50.toFixed(1)}/${upLatency.p99.toFixed(1)} ms, ${(requests / edits).toFixed(2)} requests per edit (reader ${(readerRequests / edits).toFixed(3)})`);
    return [
      metric('wsP50', labels[0]![1], 'ms', ws.p50),
      metric('wsP99', labels[1]![1], 'ms', ws.p99),
      metric('httpP50', labels[2]![1], 'ms', http.p50),
      metric('httpP99', labels[3]![1], 'ms', http.p99),
      metric('upP50', labels[4]![1], 'ms', upLatency.p50),
      metric('upP99', labels[5]![1], 'ms', upLatency.p99),
      metric('requestsPerEdit', labels[6]![1], 'count', requests / edits),
      metric('readerRequestsPerEdit', labels[7]![1], 'count', readerRequests / edits),
    ];
  } finally {
    httpReader.provider.destroy();
    await server.stop();
  }
}

export const httpFallbackScenario: Scenario = {
  id: 'http-fallback',
  title: 'HTTP fallback transport: latency next to WebSockets, requests per edit',
  group: 'single',
  run,
};
