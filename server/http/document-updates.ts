/**
 * POST /api/docs/:name/updates — applies a binary Yjs update (application/octet-stream) to a
 * document as a server-side edit.
 *
 * The body is parsed in full and depth-checked like a client's update (protocol/codec.ts,
 * room/nesting-depth.ts) before anything touches the document, so a corrupt or hostile update
 * changes nothing. It is applied through a lease: live clients receive it at once and it is stored
 * like their edits; the answer (200 with the new ETag) waits until it is durably stored.
 * `If-Match` makes it conditional on the live state's ETag, compared in the same turn as the
 * apply, so no other edit can slip between check and apply (412 otherwise).
 */
import express, { type Request, type Response } from 'express';
import * as Y from 'yjs';
import { isValidDocName } from '../../shared/doc-name.js';
import { decodeUpdate } from '../protocol/codec.js';
import { ProtocolError } from '../protocol/protocol-error.js';
import type { DocumentLease } from '../room/document-lease.js';
import { exceedsNestingDepth, MAX_NESTING_DEPTH } from '../room/nesting-depth.js';
import { HttpError } from './http-error.js';
import { answerWhenSaved, applyThroughLease, withLease } from './lease-write.js';

export interface DocumentUpdatesOptions {
  /** Opens a lease on the live document (DocumentRegistry.open), loading it if needed. */
  openDocument: (name: string) => Promise<DocumentLease>;
  /** Largest body accepted; larger ones get 413 (the WebSocket message limit is a good value). */
  maxUpdateBytes: number;
}

export function createDocumentUpdatesRouter(options: DocumentUpdatesOptions): express.Router {
  const router = express.Router();
  router.post(
    '/:name/updates',
    express.raw({ type: 'application/octet-stream', limit: options.maxUpdateBytes }),
    async (req: Request<{ name: string }>, res: Response) => {
      const { name } = req.params;
      if (!isValidDocName(name)) throw new HttpError(400, 'invalid-name', 'document names are 1-128 characters of A-Z a-z 0-9 . _ -');
      if (!req.is('application/octet-stream') || !Buffer.isBuffer(req.body)) {
        throw new HttpError(415, 'unsupported-media-type', 'the body must be a Yjs update sent as application/octet-stream');
      }
      const { update, createsTypes } = parseUpdate(req.body);
      await withLease(options.openDocument, name, async (lease) => {
        const etag = applyThroughLease(lease, update, { ifMatch: req.get('If-Match'), verify: (doc) => verifyUpdate(doc, update, createsTypes) });
        await answerWhenSaved(res, lease, etag);
      });
    },
  );
  return router;
}

function parseUpdate(body: Buffer): { update: Uint8Array; createsTypes: boolean } {
  try {
    return decodeUpdate(new Uint8Array(body.buffer, body.byteOffset, body.byteLength));
  } catch (error) {
    if (error instanceof ProtocolError) throw new HttpError(400, 'invalid-update', error.message);
    throw error;
  }
}

/** Refuses an update Yjs would hold pending, or one nesting types too deeply; changes nothing. */
function verifyUpdate(doc: Y.Doc, update: Uint8Array, createsTypes: boolean): void {
  // Yjs would hold structs with missing dependencies pending, in no 'update' event, so they would
  // be neither stored nor broadcast: refuse them instead of answering as if applied.
  const { from } = Y.parseUpdateMeta(update);
  const known = Y.decodeStateVector(Y.encodeStateVector(doc));
  for (const [client, clock] of from) {
    if (clock > (known.get(client) ?? 0)) {
      throw new HttpError(409, 'missing-dependencies', `the update needs changes by client ${client} the document lacks`);
    }
  }
  if ((createsTypes || doc.store.pendingStructs) && exceedsNestingDepth(doc, update)) {
    throw new HttpError(400, 'too-deeply-nested', `update nests types deeper than ${MAX_NESTING_DEPTH} levels`);
  }
}
