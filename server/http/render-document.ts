/**
 * Renders a document's state as JSON, HTML, text or Markdown, and turns a content write's body
 * into a Yjs update (content-edit.ts), in a worker thread (render-worker.ts; worker/job-worker.ts
 * runs it), so a large export or write never holds the event loop (a 3.7 MB document took about a
 * second to render there). The renderers and parsers add ~25 MB, paid only once used.
 */
import type { DocumentFormat } from '../../shared/document-format.js';
import { JobWorker } from '../worker/job-worker.js';
import type { ContentEdit } from './content-edit.js';
import { ContentError } from './content-error.js';
import type { WorkerJob, WorkerReply } from './render-worker.js';

const RENDER_TIMEOUT_MS = 60_000;

export class RenderError extends Error {
  readonly code = 'render-failed';
}

const worker = new JobWorker<WorkerJob, WorkerReply>({
  entry: new URL('./render-worker', import.meta.url),
  label: 'render',
  timeoutMs: RENDER_TIMEOUT_MS,
  replyError: (reply) => (!('error' in reply) ? null : reply.code ? new ContentError(reply.code, reply.error) : new RenderError(reply.error)),
  failure: (message, cause) => new RenderError(message, { cause }),
});

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
  return worker.run(job, transfer);
}
