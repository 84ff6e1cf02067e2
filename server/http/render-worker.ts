/**
 * Worker thread side of render-document.ts: a document's state (one update) and a format in, the
 * rendered body out. Runs the editor schema and renderers (TipTap, ProseMirror, y-prosemirror),
 * which recurse per level of nesting and take seconds on multi-megabyte documents, off the
 * server's event loop. A request that fails answers with its error message; the thread carries on.
 */
import { parentPort } from 'node:worker_threads';
import type { DocumentFormat } from '../../shared/document-format.js';
import { toHtml, toJson, toPlainText, updateToProseMirror } from '../../shared/document-content.js';

export interface RenderRequest {
  id: number;
  update: Uint8Array;
  format: DocumentFormat;
}

export type RenderReply = { id: number; body: string } | { id: number; error: string };

function render(update: Uint8Array, format: DocumentFormat): string {
  const node = updateToProseMirror(update);
  switch (format) {
    case 'json':
      return JSON.stringify(toJson(node));
    case 'html':
      return toHtml(node);
    case 'text':
      return toPlainText(node);
  }
}

parentPort?.on('message', ({ id, update, format }: RenderRequest) => {
  let reply: RenderReply;
  try {
    reply = { id, body: render(update, format) };
  } catch (error) {
    reply = { id, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
  parentPort!.postMessage(reply);
});
