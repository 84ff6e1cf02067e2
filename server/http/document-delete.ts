/**
 * DELETE /api/docs/:name — removes a document: its live connections are closed with 4404
 * (document deleted), its room is unloaded, then the stored copy is deleted (DocumentRegistry
 * `delete`, which refuses joins for the name until done, so a reconnecting client cannot reload
 * the old content). 204 when done; 404 when the document is neither loaded nor stored. In a
 * cluster every member closes its connections first (cluster/cluster-deletes.ts); 503 when the
 * other members cannot be told, and then nothing was deleted.
 */
import express, { type Request, type Response } from 'express';
import type * as Y from 'yjs';
import { isValidDocName } from '../../shared/doc-name.js';
import type { DocumentStore } from '../persistence/document-store.js';
import { ClusterDeleteError } from '../cluster/cluster-deletes.js';
import { HttpError } from './http-error.js';

export interface DocumentDeleteOptions {
  store: DocumentStore;
  peekLoadedDocument: (name: string) => Y.Doc | null;
  /** Closes live connections, unloads the room and deletes the stored document. */
  deleteDocument: (name: string) => Promise<void>;
}

export function createDocumentDeleteRouter(options: DocumentDeleteOptions): express.Router {
  const router = express.Router();
  router.delete('/:name', async (req: Request<{ name: string }>, res: Response) => {
    const { name } = req.params;
    if (!isValidDocName(name)) throw new HttpError(400, 'invalid-name', 'document names are 1-128 characters of A-Z a-z 0-9 . _ -');
    if (!options.peekLoadedDocument(name) && !(await isStored(options.store, name))) {
      throw new HttpError(404, 'not-found', `no document named ${name}`);
    }
    try {
      await options.deleteDocument(name);
    } catch (error) {
      if (error instanceof ClusterDeleteError) throw new HttpError(503, 'cluster-unavailable', error.message);
      throw error;
    }
    res.status(204).end();
  });
  return router;
}

async function isStored(store: DocumentStore, name: string): Promise<boolean> {
  const stored = await store.load(name);
  return stored.snapshot !== null || stored.log.length > 0;
}
