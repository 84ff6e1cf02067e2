/**
 * Renders a document's state as JSON, HTML, text or Markdown, and turns a content write's body
 * into a Yjs update (content-edit.ts), in a worker thread (render-worker.ts), so a large export or
 * write never holds the event loop (a 3.7 MB document took about a second to render there).
 *
 * One worker per process, started with the first export or write (the renderers and parsers add
 * ~25 MB, which a server that never uses them does not pay) and unref'd, so it never keeps the
 * process alive. Requests are handled one at a time in arrival order. A worker that dies, or takes longer than
 * RENDER_TIMEOUT_MS on one request, is dropped, its requests fail, and the next export starts a
 * fresh one.
 */
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import path from 'node:path';
import type { DocumentFormat } from '../../shared/document-format.js';
import type { ContentEdit } from './content-edit.js';
import { ContentError } from './content-error.js';
import type { WorkerJob, WorkerReply, WorkerRequest } from './render-worker.js';

const RENDER_TIMEOUT_MS = 60_000;

export class RenderError extends Error {
  readonly code = 'render-failed';
}

interface Waiting {
  resolve: (reply: WorkerReply) => void;
  reject: (error: Error) => void;
}

let worker: Worker | null = null;
const waiting = new Map<number, Waiting>();
let nextId = 0;
let timer: NodeJS.Timeout | null = null;

export async function renderDocument(update: Uint8Array, format: DocumentFormat): Promise<string> {
  const reply = await run({ job: 'render', update, format });
  if ('body' in reply) return reply.body;
  throw new RenderError('the worker answered a render with no body');
}

/**
 * The updates that make a content write, to apply in order (content-edit.ts). Rejects with
 * ContentError for a body that is not content (the caller's fault), RenderError otherwise. The
 * state and body are transferred: do not reuse them.
 */
export async function editDocumentContent(edit: ContentEdit): Promise<Uint8Array[]> {
  const reply = await run({ job: 'write', ...edit }, [edit.state.buffer, edit.body.buffer]);
  if ('updates' in reply) return reply.updates;
  throw new RenderError('the worker answered a write with no update');
}

function run(job: WorkerJob, transfer: ArrayBufferLike[] = []): Promise<WorkerReply> {
  const id = ++nextId;
  const request: WorkerRequest = { id, ...job };
  return new Promise((resolve, reject) => {
    waiting.set(id, { resolve, reject });
    currentWorker().postMessage(request, transfer as ArrayBuffer[]);
    if (!timer) armTimer();
  });
}

function currentWorker(): Worker {
  if (worker) return worker;
  const started = startWorker();
  started.on('message', (reply: WorkerReply) => {
    const entry = waiting.get(reply.id);
    if (!entry) return;
    waiting.delete(reply.id);
    if (!('error' in reply)) entry.resolve(reply);
    else if (reply.code) entry.reject(new ContentError(reply.code, reply.error));
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
