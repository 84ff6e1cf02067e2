/**
 * GET /api/docs/:name?format=json|html|text — a document rendered with the shared editor schema.
 *
 * A document that is loaded is read from its live room, so the answer includes edits that are
 * still on their way to the store; otherwise it is built from the store (snapshot + log). Either
 * way the conversion works on a copy of the state, in a worker thread (render-document.ts), and
 * never writes to the document.
 */
import express, { type Request, type Response } from 'express';
import * as Y from 'yjs';
import { isValidDocName } from '../../shared/doc-name.js';
import { isDocumentFormat } from '../../shared/document-format.js';
import type { DocumentStore } from '../persistence/document-store.js';
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
    const format = req.query.format ?? 'json';
    if (!isDocumentFormat(format)) {
      sendError(res, 400, 'invalid-format', 'format must be one of json, html, text');
      return;
    }
    const update = await readDocumentState(options, name);
    if (!update) {
      sendError(res, 404, 'not-found', `no document named ${name}`);
      return;
    }
    let body: string;
    try {
      body = await renderDocument(update, format);
    } catch (error) {
      if (error instanceof RenderError) throw new HttpError(500, 'render-failed', `${name} could not be rendered`);
      throw error;
    }
    res.setHeader('Cache-Control', 'no-store');
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
    }
  });
  return router;
}

function sendError(res: Response, status: number, code: string, message: string): void {
  res.status(status).json({ error: { code, message } });
}

/** The document's full state as one update, or null when it was never written. */
async function readDocumentState(options: DocumentExportOptions, name: string): Promise<Uint8Array | null> {
  const live = options.peekLoadedDocument(name);
  if (live) return Y.encodeStateAsUpdate(live);
  const stored = await options.store.load(name);
  if (!stored.snapshot && stored.log.length === 0) return null;
  if (!stored.snapshot && stored.log.length === 1) return stored.log[0]!;
  return Y.mergeUpdates([...(stored.snapshot ? [stored.snapshot] : []), ...stored.log]);
}
