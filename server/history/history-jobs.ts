/**
 * Runs version-history jobs (history-worker.ts: a restore's delta, a diff) in a worker thread,
 * so that documents of several megabytes never hold the event loop. Built like the export
 * renderer (http/render-document.ts), as its own thread so the two never queue behind each
 * other: one worker per process, started with the first job and unref'd; jobs run one at a time
 * in arrival order; a worker that dies or takes longer than JOB_TIMEOUT_MS on one job is
 * dropped, its jobs fail, and the next job starts a fresh one.
 */
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import path from 'node:path';
import type { HistoryJob, HistoryJobReply, HistoryJobResult } from './history-worker.js';
import type { VersionDiff } from './version-diff.js';

const JOB_TIMEOUT_MS = 60_000;

export class HistoryJobError extends Error {
  readonly code = 'history-job-failed';
}

interface Waiting {
  resolve: (result: HistoryJobResult) => void;
  reject: (error: Error) => void;
}

let worker: Worker | null = null;
const waiting = new Map<number, Waiting>();
let nextId = 0;
let timer: NodeJS.Timeout | null = null;

/** The update that turns `live` (a full state) into `version`'s content, to apply to the live document. */
export async function restoreDeltaInWorker(live: Uint8Array, version: Uint8Array): Promise<Uint8Array> {
  const result = await runJob({ kind: 'restore-delta', live, version });
  if (result.kind !== 'restore-delta') throw new HistoryJobError('unexpected reply');
  return result.delta;
}

/** What changed from `against` to `version` (both full states). */
export async function diffInWorker(version: Uint8Array, against: Uint8Array): Promise<VersionDiff> {
  const result = await runJob({ kind: 'diff', version, against });
  if (result.kind !== 'diff') throw new HistoryJobError('unexpected reply');
  return result.diff;
}

function runJob(job: HistoryJob): Promise<HistoryJobResult> {
  const id = ++nextId;
  return new Promise((resolve, reject) => {
    waiting.set(id, { resolve, reject });
    currentWorker().postMessage({ id, job });
    if (!timer) armTimer();
  });
}

function currentWorker(): Worker {
  if (worker) return worker;
  const started = startWorker();
  started.on('message', (reply: HistoryJobReply) => {
    const entry = waiting.get(reply.id);
    if (!entry) return;
    waiting.delete(reply.id);
    if ('result' in reply) entry.resolve(reply.result);
    else entry.reject(new HistoryJobError(reply.error));
    armTimer();
  });
  started.on('error', (error) => dropWorker(started, new HistoryJobError(`history worker failed: ${error.message}`, { cause: error })));
  started.on('exit', (code) => dropWorker(started, new HistoryJobError(`history worker exited with ${code}`)));
  started.unref();
  worker = started;
  return started;
}

/** As in render-document.ts: plain JS when built, TypeScript through tsx's loader from source. */
function startWorker(): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./history-worker.js', import.meta.url));
  const tsxPackage = createRequire(import.meta.url).resolve('tsx/package.json');
  const api = pathToFileURL(path.join(path.dirname(tsxPackage), 'dist', 'esm', 'api', 'index.mjs')).href;
  const entry = new URL('./history-worker.ts', import.meta.url).href;
  const bootstrap = `import(${JSON.stringify(api)}).then(({ register }) => { register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(bootstrap, { eval: true });
}

function dropWorker(dropped: Worker, error: Error): void {
  if (worker !== dropped) return;
  worker = null;
  if (timer) clearTimeout(timer);
  timer = null;
  for (const entry of waiting.values()) entry.reject(error);
  waiting.clear();
  void dropped.terminate();
}

function armTimer(): void {
  if (timer) clearTimeout(timer);
  timer = null;
  if (waiting.size === 0 || !worker) return;
  const current = worker;
  timer = setTimeout(() => dropWorker(current, new HistoryJobError(`history job took longer than ${JOB_TIMEOUT_MS} ms`)), JOB_TIMEOUT_MS);
  timer.unref();
}
