/**
 * GET /api/docs/:name?format=json|html|text|markdown|yjs — a document rendered with the shared editor
 * schema, or its full Yjs state (`yjs`, application/octet-stream). Without `format=` the Accept
 * header chooses (document-negotiation.ts). Every answer carries the document's ETag
 * (document-etag.ts); a matching If-None-Match gets 304 before anything is rendered.
 *
 * A document that is loaded is read from its live room, so the answer includes edits that are
 * still on their way to the store; otherwise it is built from the store (snapshot + log). Either
 * way the conversion works on a copy of the state, in a worker thread (render-document.ts), and
 * never writes to the document.
 */
import express, { type Request, type Response } from 'express';
import * as Y from 'yjs';
import { isValidDocName } from '../../shared/doc-name.js';
import type { DocumentStore } from '../persistence/document-store.js';
import { documentEtag, headerMatchesEtag, updateEtag } from './document-etag.js';
import { chooseExportFormat } from './document-negotiation.js';
import { HttpError } from './http-error.js';
import { renderDocument, RenderError } from './render-document.js';

export interface DocumentExportOptions {
  store: DocumentStore;
  /** The live Y.Doc of a document that is loaded, or null; must not start a load. */
  peekLoadedDocument: (name: string) => Y.Doc | null;
}

export function createDocumentExportRouter(options: DocumentExportOptions): express.Router {
  const router = express.Router();
  router.get('/:name', async (req: Request<{ name: string }>, res: Response) => {
    const { name } = req.params;
    if (!isValidDocName(name)) {
      sendError(res, 400, 'invalid-name', 'document names are 1-128 characters of A-Z a-z 0-9 . _ -');
      return;
    }
    const format = chooseExportFormat(req);
    const state = await readDocumentState(options, name);
    if (!state) {
      sendError(res, 404, 'not-found', `no document named ${name}`);
      return;
    }
    const { update, etag } = state;
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('ETag', etag);
    res.vary('Accept');
    if (headerMatchesEtag(req.get('If-None-Match'), etag)) {
      res.status(304).end();
      return;
    }
    if (format === 'yjs') {
      res.type('application/octet-stream').send(Buffer.from(update.buffer, update.byteOffset, update.byteLength));
      return;
    }
    let body: string;
    try {
      body = await renderDocument(update, format);
    } catch (error) {
      if (error instanceof RenderError) throw new HttpError(500, 'render-failed', `${name} could not be rendered`);
      throw error;
    }
    switch (format) {
      case 'json':
        res.type('json').send(body);
        return;
      case 'html':
        // The markup is generated from our own specs, but it is user content: never let a
        // browser run anything in it when someone opens the URL directly.
        res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'");
        res.setHeader('X-Content-Type-Options', 'nosniff');
        res.type('html').send(body);
        return;
      case 'text':
        res.type('text/plain').send(body);
        return;
      case 'markdown':
        res.type('text/markdown; charset=utf-8').send(body);
        return;
    }
  });
  return router;
}

function sendError(res: Response, status: number, code: string, message: string): void {
  res.status(status).json({ error: { code, message } });
}

/** The document's full state as one update and its ETag, or null when it was never written. */
async function readDocumentState(
  options: DocumentExportOptions,
  name: string,
): Promise<{ update: Uint8Array; etag: string } | null> {
  const live = options.peekLoadedDocument(name);
  if (live) return { update: Y.encodeStateAsUpdate(live), etag: documentEtag(live) };
  const stored = await options.store.load(name);
  if (!stored.snapshot && stored.log.length === 0) return null;
  const update =
    !stored.snapshot && stored.log.length === 1
      ? stored.log[0]!
      : Y.mergeUpdates([...(stored.snapshot ? [stored.snapshot] : []), ...stored.log]);
  // The tag needs the delete set as Yjs computes it, so the stored state is applied to a copy
  // (on this thread: a cost of one load per request for documents that are not loaded).
  return { update, etag: updateEtag(update) };
}
