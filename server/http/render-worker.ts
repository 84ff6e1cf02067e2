/**
 * Worker thread side of render-document.ts. Two jobs: render (a document's state and a format in,
 * the rendered body out) and write (a state, a body and a mode in, the Yjs updates that make the
 * edit out; content-edit.ts). Runs the editor schema, the parsers and renderers (TipTap,
 * ProseMirror, y-prosemirror, marked, happy-dom), which recurse per level of nesting and take
 * seconds on multi-megabyte documents, off the server's event loop. A job that fails answers with
 * its error message (and code, for a body that is not content); the thread carries on.
 */
import { parentPort } from 'node:worker_threads';
import type { DocumentFormat } from '../../shared/document-format.js';
import { toHtml, toJson, toPlainText, updateToProseMirror } from '../../shared/document-content.js';
import { toMarkdown } from '../../shared/document-markdown.js';
import { ContentError, type ContentErrorCode } from './content-error.js';
import { editContent, type ContentEdit } from './content-edit.js';

export type WorkerJob = { job: 'render'; update: Uint8Array; format: DocumentFormat } | ({ job: 'write' } & ContentEdit);
export type WorkerRequest = WorkerJob & { id: number };

export type WorkerReply =
  | { id: number; body: string }
  | { id: number; updates: Uint8Array[] }
  | { id: number; error: string; code?: ContentErrorCode };

function render(update: Uint8Array, format: DocumentFormat): string {
  const node = updateToProseMirror(update);
  switch (format) {
    case 'json':
      return JSON.stringify(toJson(node));
    case 'html':
      return toHtml(node);
    case 'text':
      return toPlainText(node);
    case 'markdown':
      return toMarkdown(node);
  }
}

parentPort?.on('message', (request: WorkerRequest) => {
  const { id } = request;
  try {
    if (request.job === 'render') {
      parentPort!.postMessage({ id, body: render(request.update, request.format) } satisfies WorkerReply);
      return;
    }
    const updates = editContent(request);
    parentPort!.postMessage({ id, updates } satisfies WorkerReply, updates.map((update) => update.buffer as ArrayBuffer));
  } catch (error) {
    const reply: WorkerReply =
      error instanceof ContentError
        ? { id, error: error.message, code: error.code }
        : { id, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
    parentPort!.postMessage(reply);
  }
});
