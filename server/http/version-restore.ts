/**
 * `POST /api/docs/:name/versions/:id/restore` (write access): turns the live document's content
 * into the version's, as a new edit that merges.
 *
 * 1. The current state is kept as a `pre-restore` version (stored before anything changes).
 * 2. The edit from that state to the version's content is computed on a private copy, in the
 *    history worker (history/restore-delta.ts), while the document stays live.
 * 3. The edit is applied through a lease: it travels to every editor like any edit, and what
 *    people typed since step 1 is concurrent with it, so they keep it.
 * 4. The result is recorded as a `restore` version, named after the version restored.
 *
 * Answers 200 `{ etag, preRestoreVersion, restoredVersion }` once the edit is durably stored.
 */
import express, { type Request, type Response } from 'express';
import * as Y from 'yjs';
import type { DocumentLease } from '../room/document-lease.js';
import type { VersionEditor } from '../persistence/document-versions.js';
import type { VersionHistory } from '../history/version-history.js';
import { HistoryJobError, restoreDeltaInWorker } from '../history/history-jobs.js';
import { principalOf } from './auth-middleware.js';
import { documentEtag } from './document-etag.js';
import { HttpError } from './http-error.js';
import { loadVersionOr404, parseVersionId } from './version-access.js';
import type { DocumentStore } from '../persistence/document-store.js';

export interface VersionRestoreOptions {
  store: DocumentStore;
  history: VersionHistory;
  /** Opens a lease on the live document (DocumentRegistry.open), loading it if needed. */
  openDocument: (name: string) => Promise<DocumentLease>;
}

export function createVersionRestoreRouter(options: VersionRestoreOptions): express.Router {
  const { store, history } = options;
  const router = express.Router();
  router.post('/:name/versions/:id/restore', async (req: Request<{ name: string; id: string }>, res: Response) => {
    const { name } = req.params;
    const version = await loadVersionOr404(store, name, parseVersionId(req.params.id));
    const principal = principalOf(res);
    const restorer: VersionEditor = { sub: principal.sub, name: principal.name ?? (principal.sub === 'anonymous' ? 'anonymous' : null) };
    const lease = await options.openDocument(name);
    try {
      const liveState = Y.encodeStateAsUpdate(lease.doc);
      const preRestoreVersion = await history.record(name, { kind: 'pre-restore', name: null, state: liveState, editors: history.takeEditors(name) });
      let delta: Uint8Array;
      try {
        delta = await restoreDeltaInWorker(liveState, version.state);
      } catch (error) {
        if (error instanceof HistoryJobError) throw new HttpError(500, 'restore-failed', `version ${version.id} of ${name} could not be restored`);
        throw error;
      }
      lease.transact((doc) => Y.applyUpdate(doc, delta));
      const etag = documentEtag(lease.doc);
      const editors = mergeEditors(history.takeEditors(name), restorer);
      const restoredVersion = await history.record(name, {
        kind: 'restore',
        name: `Restored version ${version.id}`,
        state: Y.encodeStateAsUpdate(lease.doc),
        editors,
      });
      await lease.whenSaved();
      res.setHeader('Cache-Control', 'no-store');
      res.json({ etag, preRestoreVersion, restoredVersion });
    } finally {
      lease.release();
    }
  });
  return router;
}

function mergeEditors(editors: VersionEditor[], restorer: VersionEditor): VersionEditor[] {
  return editors.some((e) => e.sub === restorer.sub && e.name === restorer.name) ? editors : [...editors, restorer];
}
