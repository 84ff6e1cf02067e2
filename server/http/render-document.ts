/**
 * Renders a document's state as JSON, HTML or text in a worker thread (render-worker.ts), so a
 * large export never holds the event loop (a 3.7 MB document took about a second there).
 *
 * One worker per process, started with the first export (the renderers add ~25 MB, which a server
 * that never exports does not pay) and unref'd, so it never keeps the process alive. Requests are
 * rendered one at a time in arrival order. A worker that dies, or takes longer than
 * RENDER_TIMEOUT_MS on one request, is dropped, its requests fail, and the next export starts a
 * fresh one.
 */
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import path from 'node:path';
import type { DocumentFormat } from '../../shared/document-format.js';
import type { RenderReply, RenderRequest } from './render-worker.js';

const RENDER_TIMEOUT_MS = 60_000;

export class RenderError extends Error {
  readonly code = 'render-failed';
}

interface Waiting {
  resolve: (body: string) => void;
  reject: (error: Error) => void;
}

let worker: Worker | null = null;
const waiting = new Map<number, Waiting>();
let nextId = 0;
let timer: NodeJS.Timeout | null = null;

export function renderDocument(update: Uint8Array, format: DocumentFormat): Promise<string> {
  const id = ++nextId;
  const request: RenderRequest = { id, update, format };
  return new Promise((resolve, reject) => {
    waiting.set(id, { resolve, reject });
    currentWorker().postMessage(request);
    if (!timer) armTimer();
  });
}

function currentWorker(): Worker {
  if (worker) return worker;
  const started = startWorker();
  started.on('message', (reply: RenderReply) => {
    const entry = waiting.get(reply.id);
    if (!entry) return;
    waiting.delete(reply.id);
    if ('body' in reply) entry.resolve(reply.body);
    else entry.reject(new RenderError(reply.error));
    armTimer();
  });
  started.on('error', (error) => dropWorker(started, new RenderError(`render worker failed: ${error.message}`, { cause: error })));
  started.on('exit', (code) => dropWorker(started, new RenderError(`render worker exited with ${code}`)));
  started.unref();
  worker = started;
  return started;
}

/**
 * Built, the worker is plain JS. From source (tests, `tsx`) it is TypeScript: a small bootstrap
 * registers tsx's loader in the thread first (Node 20 does not apply `--import` hooks to a
 * worker's own entry module).
 */
function startWorker(): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./render-worker.js', import.meta.url));
  // tsx/esm/api, import flavour (require.resolve would pick the CommonJS one).
  const tsxPackage = createRequire(import.meta.url).resolve('tsx/package.json');
  const api = pathToFileURL(path.join(path.dirname(tsxPackage), 'dist', 'esm', 'api', 'index.mjs')).href;
  const entry = new URL('./render-worker.ts', import.meta.url).href;
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

/** One timeout, for the request being rendered (the oldest): re-armed as each one is answered. */
function armTimer(): void {
  if (timer) clearTimeout(timer);
  timer = null;
  if (waiting.size === 0 || !worker) return;
  const current = worker;
  timer = setTimeout(() => dropWorker(current, new RenderError(`render took longer than ${RENDER_TIMEOUT_MS} ms`)), RENDER_TIMEOUT_MS);
  timer.unref();
}
