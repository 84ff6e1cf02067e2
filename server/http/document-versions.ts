/**
 * The version history API of a document (server/history/), reading routes and naming:
 *
 * - `GET /api/docs/:name/versions`: `{ versions: [{ id, kind, name, createdAt, bytes, storedBytes, editors }] }`, newest first.
 * - `POST /api/docs/:name/versions` `{ "name": "…" }`: names the current state now (201, the version).
 * - `GET /api/docs/:name/versions/:id?format=json|html|text|yjs`: a version rendered like the
 *   export (render-document.ts, in its worker thread), or its Yjs state.
 * - `GET /api/docs/:name/versions/:id/diff?against=<id>|current`: what changed from `against`
 *   (default: the current document) to the version (history/version-diff.ts, in the history worker).
 *
 * Read access lists, previews and diffs; naming needs write access (auth-middleware.ts, mounted
 * over every /api/docs/:name route).
 */
import express, { type Request, type Response } from 'express';
import type { VersionHistory } from '../history/version-history.js';
import { diffInWorker, HistoryJobError } from '../history/history-jobs.js';
import type { DocumentFormat } from '../../shared/document-format.js';
import { chooseExportFormat } from './document-negotiation.js';
import { HttpError } from './http-error.js';
import { renderDocument, RenderError } from './render-document.js';
import { currentState, listingOf, loadVersionOr404, parseVersionId, type VersionSources } from './version-access.js';

export interface DocumentVersionsOptions extends VersionSources {
  history: VersionHistory;
}

const MAX_VERSION_NAME = 200;

/** Every rendered format needs its type here: a format added to shared/document-format.ts fails to compile until it has one. */
const CONTENT_TYPES: Record<DocumentFormat, string> = { json: 'application/json', html: 'text/html', text: 'text/plain', markdown: 'text/markdown' };

export function createDocumentVersionsRouter(options: DocumentVersionsOptions): express.Router {
  const { store, history } = options;
  const router = express.Router();

  router.get('/:name/versions', async (req: Request<{ name: string }>, res: Response) => {
    const versions = await store.listVersions(req.params.name);
    res.setHeader('Cache-Control', 'no-store');
    res.json({ versions: versions.map(listingOf) });
  });

  router.post('/:name/versions', express.json({ limit: '16kb' }), async (req: Request<{ name: string }>, res: Response) => {
    const { name } = req.params;
    const label = (req.body as { name?: unknown } | undefined)?.name;
    if (typeof label !== 'string' || label.trim() === '' || label.length > MAX_VERSION_NAME) {
      throw new HttpError(400, 'invalid-version-name', `the body must be JSON { "name": "…" } with a name of 1-${MAX_VERSION_NAME} characters`);
    }
    const state = await currentState(options, name);
    if (!state) throw new HttpError(404, 'not-found', `no document named ${name}`);
    const id = await history.record(name, { kind: 'named', name: label.trim(), state, editors: history.takeEditors(name) });
    const version = (await store.listVersions(name)).find((v) => v.id === id);
    if (!version) throw new Error(`version ${id} of ${name} vanished right after it was stored`);
    res.status(201).location(`${req.baseUrl}/${name}/versions/${id}`).json(listingOf(version));
  });

  router.get('/:name/versions/:id', async (req: Request<{ name: string; id: string }>, res: Response) => {
    const { name } = req.params;
    const format = chooseExportFormat(req);
    const version = await loadVersionOr404(store, name, parseVersionId(req.params.id));
    // A version never changes: cacheable by the browser for the session.
    res.setHeader('Cache-Control', 'private, max-age=3600');
    res.vary('Accept');
    if (format === 'yjs') {
      const { state } = version;
      res.type('application/octet-stream').send(Buffer.from(state.buffer, state.byteOffset, state.byteLength));
      return;
    }
    let body: string;
    try {
      body = await renderDocument(version.state, format);
    } catch (error) {
      if (error instanceof RenderError) throw new HttpError(500, 'render-failed', `version ${version.id} of ${name} could not be rendered`);
      throw error;
    }
    if (format === 'html') {
      res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'");
      res.setHeader('X-Content-Type-Options', 'nosniff');
    }
    res.type(CONTENT_TYPES[format]).send(body);
  });

  router.get('/:name/versions/:id/diff', async (req: Request<{ name: string; id: string }>, res: Response) => {
    const { name } = req.params;
    const version = await loadVersionOr404(store, name, parseVersionId(req.params.id));
    const against = typeof req.query.against === 'string' ? req.query.against : 'current';
    let againstState: Uint8Array;
    if (against === 'current') {
      const state = await currentState(options, name);
      if (!state) throw new HttpError(404, 'not-found', `no document named ${name}`);
      againstState = state;
    } else {
      againstState = (await loadVersionOr404(store, name, parseVersionId(against, 'against'))).state;
    }
    let diff;
    try {
      diff = await diffInWorker(version.state, againstState);
    } catch (error) {
      if (error instanceof HistoryJobError) throw new HttpError(500, 'diff-failed', `version ${version.id} of ${name} could not be compared`);
      throw error;
    }
    res.setHeader('Cache-Control', 'no-store');
    res.json({ version: version.id, against: against === 'current' ? 'current' : Number(against), ...diff });
  });

  return router;
}
