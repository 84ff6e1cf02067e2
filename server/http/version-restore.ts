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
 *
 * A restore the restoring editor can undo (its Yjs undo manager only holds its own edits) is
 * applied by that editor instead, in two calls around it:
 *
 * - `POST …/versions/:id/restore-edit`: step 1 and 2 only; answers 200
 *   `{ preRestoreVersion, update }`, the edit as a base64 Yjs update. The document is unchanged.
 * - The editor applies `update` as its own (undoable) edit and waits until the server stored it.
 * - `POST …/versions/:id/restore-edit/applied`: step 4, the current state as a `restore` version
 *   (201, the version).
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
import { listingOf, loadVersionOr404, parseVersionId } from './version-access.js';
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
    const restorer = restorerOf(res);
    const lease = await options.openDocument(name);
    try {
      const liveState = Y.encodeStateAsUpdate(lease.doc);
      const preRestoreVersion = await history.record(name, { kind: 'pre-restore', name: null, state: liveState, editors: history.takeEditors(name) });
      const delta = await deltaOr500(liveState, version.state, `version ${version.id} of ${name} could not be restored`);
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

  router.post('/:name/versions/:id/restore-edit', async (req: Request<{ name: string; id: string }>, res: Response) => {
    const { name } = req.params;
    const version = await loadVersionOr404(store, name, parseVersionId(req.params.id));
    // The lease keeps the document loaded, so the edit is computed against what editors hold.
    const lease = await options.openDocument(name);
    try {
      const liveState = Y.encodeStateAsUpdate(lease.doc);
      const preRestoreVersion = await history.record(name, { kind: 'pre-restore', name: null, state: liveState, editors: history.takeEditors(name) });
      const delta = await deltaOr500(liveState, version.state, `version ${version.id} of ${name} could not be restored`);
      res.setHeader('Cache-Control', 'no-store');
      res.json({ preRestoreVersion, update: Buffer.from(delta.buffer, delta.byteOffset, delta.byteLength).toString('base64') });
    } finally {
      lease.release();
    }
  });

  router.post('/:name/versions/:id/restore-edit/applied', async (req: Request<{ name: string; id: string }>, res: Response) => {
    const { name } = req.params;
    const version = await loadVersionOr404(store, name, parseVersionId(req.params.id));
    const lease = await options.openDocument(name);
    try {
      const editors = mergeEditors(history.takeEditors(name), restorerOf(res));
      const id = await history.record(name, { kind: 'restore', name: `Restored version ${version.id}`, state: Y.encodeStateAsUpdate(lease.doc), editors });
      const recorded = (await store.listVersions(name)).find((v) => v.id === id);
      if (!recorded) throw new Error(`version ${id} of ${name} vanished right after it was stored`);
      res.setHeader('Cache-Control', 'no-store');
      res.status(201).location(`${req.baseUrl}/${name}/versions/${id}`).json(listingOf(recorded));
    } finally {
      lease.release();
    }
  });
  return router;
}

function restorerOf(res: Response): VersionEditor {
  const principal = principalOf(res);
  return { sub: principal.sub, name: principal.name ?? (principal.sub === 'anonymous' ? 'anonymous' : null) };
}

async function deltaOr500(liveState: Uint8Array, versionState: Uint8Array, message: string): Promise<Uint8Array> {
  try {
    return await restoreDeltaInWorker(liveState, versionState);
  } catch (error) {
    if (error instanceof HistoryJobError) throw new HttpError(500, 'restore-failed', message);
    throw error;
  }
}

function mergeEditors(editors: VersionEditor[], restorer: VersionEditor): VersionEditor[] {
  return editors.some((e) => e.sub === restorer.sub && e.name === restorer.name) ? editors : [...editors, restorer];
}
