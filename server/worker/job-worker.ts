/**
 * One worker thread for one kind of heavy job (rendering and content writes; history diffs and
 * restores), so large documents never hold the event loop.
 *
 * The thread is started with the first job (its modules cost memory a server that never uses
 * them does not pay) and unref'd, so it never keeps the process alive. Jobs run one at a time in
 * arrival order. A worker that dies, or takes longer than `timeoutMs` on one job, is dropped, its
 * jobs fail, and the next job starts a fresh one.
 *
 * Built, the worker module is plain JS. From source (tests, `tsx`) it is TypeScript: a small
 * bootstrap registers tsx's loader in the thread first (Node 20 does not apply `--import` hooks
 * to a worker's own entry module).
 */
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import path from 'node:path';

export interface JobWorkerOptions<Reply extends { id: number }> {
  /** The worker module without its extension, e.g. `new URL('./render-worker', import.meta.url)`. */
  entry: URL;
  /** For error messages: "render worker exited with 1". */
  label: string;
  timeoutMs: number;
  /** The error a reply stands for, or null when it is a result. */
  replyError: (reply: Reply) => Error | null;
  /** The error for the worker's own failures (crash, exit, timeout). */
  failure: (message: string, cause?: unknown) => Error;
}

interface Waiting<Reply> {
  resolve: (reply: Reply) => void;
  reject: (error: Error) => void;
}

const FROM_SOURCE = import.meta.url.endsWith('.ts');

export class JobWorker<Request extends object, Reply extends { id: number }> {
  readonly #options: JobWorkerOptions<Reply>;
  #worker: Worker | null = null;
  readonly #waiting = new Map<number, Waiting<Reply>>();
  #nextId = 0;
  #timer: NodeJS.Timeout | null = null;

  constructor(options: JobWorkerOptions<Reply>) {
    this.#options = options;
  }

  /** Posts `{ id, ...request }`; `transfer` lists buffers handed over (do not reuse them). */
  run(request: Request, transfer: ArrayBufferLike[] = []): Promise<Reply> {
    const id = ++this.#nextId;
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
      this.#current().postMessage({ id, ...request }, transfer as ArrayBuffer[]);
      if (!this.#timer) this.#armTimer();
    });
  }

  #current(): Worker {
    if (this.#worker) return this.#worker;
    const { label, failure, replyError } = this.#options;
    const started = this.#start();
    started.on('message', (reply: Reply) => {
      const entry = this.#waiting.get(reply.id);
      if (!entry) return;
      this.#waiting.delete(reply.id);
      const error = replyError(reply);
      if (error) entry.reject(error);
      else entry.resolve(reply);
      this.#armTimer();
    });
    started.on('error', (error) => this.#drop(started, failure(`${label} worker failed: ${error.message}`, error)));
    started.on('exit', (code) => this.#drop(started, failure(`${label} worker exited with ${code}`)));
    started.unref();
    this.#worker = started;
    return started;
  }

  #start(): Worker {
    const entry = this.#options.entry.href;
    if (!FROM_SOURCE) return new Worker(new URL(`${entry}.js`));
    // tsx/esm/api, import flavour (require.resolve would pick the CommonJS one).
    const tsxPackage = createRequire(import.meta.url).resolve('tsx/package.json');
    const api = pathToFileURL(path.join(path.dirname(tsxPackage), 'dist', 'esm', 'api', 'index.mjs')).href;
    const bootstrap = `import(${JSON.stringify(api)}).then(({ register }) => { register(); return import(${JSON.stringify(`${entry}.ts`)}); });`;
    return new Worker(bootstrap, { eval: true });
  }

  #drop(dropped: Worker, error: Error): void {
    if (this.#worker !== dropped) return;
    this.#worker = null;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    for (const entry of this.#waiting.values()) entry.reject(error);
    this.#waiting.clear();
    void dropped.terminate();
  }

  /** One timeout, for the job being run (the oldest): re-armed as each one is answered. */
  #armTimer(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    const current = this.#worker;
    if (this.#waiting.size === 0 || !current) return;
    const { label, timeoutMs, failure } = this.#options;
    this.#timer = setTimeout(() => this.#drop(current, failure(`${label} job took longer than ${timeoutMs} ms`)), timeoutMs);
    this.#timer.unref();
  }
}
