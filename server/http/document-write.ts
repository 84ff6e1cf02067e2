/**
 * PUT /api/docs/:name — replaces a document's content with the body; POST /api/docs/:name/append
 * adds the body's blocks after the last one. Bodies: text/html, text/markdown or application/json
 * (a ProseMirror `doc` of the editor schema), UTF-8, at most `maxBytes`.
 *
 * The request thread only snapshots and applies: with a lease held, it encodes the live state and
 * hands it with the body to the worker thread (render-document.ts → content-edit.ts), which parses
 * the body, fits it to the schema and returns the Yjs updates that make the edit (chunks of about
 * 256 KiB). Back here, in one turn, `If-Match` is compared with the live ETag (412) and the first
 * chunk is applied through the lease; further chunks follow one per event-loop turn, so a large
 * write never holds the loop for all of its items at once. The answer waits until everything is
 * stored (lease-write.ts). Edits that arrive while the worker runs, or between chunks, are not in
 * the state it saw: the updates neither delete nor overwrite them, so they merge.
 *
 * Writes to one document are serialized on this process (not across cluster members).
 *
 * The update is not depth-checked here like POST …/updates: the worker refused content nested
 * deeper than MAX_NESTING_DEPTH, and Yjs types never move, so each new type sits in the live
 * document exactly as deep as in the worker's copy.
 */
import express, { type Request, type Response } from 'express';
import * as Y from 'yjs';
import { parse as parseContentType } from 'content-type';
import { isValidDocName } from '../../shared/doc-name.js';
import type { DocumentLease } from '../room/document-lease.js';
import { ContentError, CONTENT_TYPES, type ContentType } from './content-error.js';
import type { EditMode } from './content-edit.js';
import { documentEtag } from './document-etag.js';
import { HttpError } from './http-error.js';
import { answerWhenSaved, applyThroughLease, checkIfMatch, withLease } from './lease-write.js';
import { editDocumentContent, RenderError } from './render-document.js';

export interface DocumentWriteOptions {
  /** Opens a lease on the live document (DocumentRegistry.open), loading it if needed. */
  openDocument: (name: string) => Promise<DocumentLease>;
  /** Largest body accepted; larger ones get 413. */
  maxBytes: number;
}

const MEDIA_TYPES = Object.keys(CONTENT_TYPES);

export function createDocumentWriteRouter(options: DocumentWriteOptions): express.Router {
  const router = express.Router();
  const readBody = express.raw({ type: MEDIA_TYPES, limit: options.maxBytes });
  const queues = new Map<string, Promise<unknown>>();
  const handle = (mode: EditMode) => (req: Request<{ name: string }>, res: Response) => write({ ...options, queues }, req, res, mode);
  router.put('/:name', readBody, handle('replace'));
  router.post('/:name/append', readBody, handle('append'));
  return router;
}

async function write(
  options: DocumentWriteOptions & { queues: Map<string, Promise<unknown>> },
  req: Request<{ name: string }>,
  res: Response,
  mode: EditMode,
): Promise<void> {
  const { name } = req.params;
  if (!isValidDocName(name)) throw new HttpError(400, 'invalid-name', 'document names are 1-128 characters of A-Z a-z 0-9 . _ -');
  const type = contentTypeOf(req);
  // A copy of exactly the body's bytes, transferred to the worker (body-parser's may share a pool).
  const body = Buffer.isBuffer(req.body) ? new Uint8Array(req.body) : new Uint8Array(0);
  const ifMatch = req.get('If-Match');
  await withLease(options.openDocument, name, async (lease) => {
    // Two writes to one document run one after the other (snapshot to last chunk), so the second
    // sees the first: two PUTs leave the later content, not both merged.
    const etag = await oneAtATime(options.queues, name, async () => {
      // Early 412: no parse for a write that cannot apply. Checked again when applying.
      checkIfMatch(lease.doc, ifMatch);
      const updates = await makeUpdates({ state: Y.encodeStateAsUpdate(lease.doc), body, type, mode });
      if (updates.length === 0) {
        checkIfMatch(lease.doc, ifMatch);
        return documentEtag(lease.doc);
      }
      let applied = applyThroughLease(lease, updates[0]!, { ifMatch });
      for (const update of updates.slice(1)) {
        await new Promise((resolve) => setImmediate(resolve));
        applied = applyThroughLease(lease, update, { ifMatch: undefined });
      }
      return applied;
    });
    await answerWhenSaved(res, lease, etag);
  });
}

/** Runs `fn` after every earlier call for `name` has settled. */
async function oneAtATime<T>(queues: Map<string, Promise<unknown>>, name: string, fn: () => Promise<T>): Promise<T> {
  const current = (queues.get(name) ?? Promise.resolve()).catch(() => undefined).then(fn);
  queues.set(name, current);
  try {
    return await current;
  } finally {
    if (queues.get(name) === current) queues.delete(name);
  }
}

async function makeUpdates(edit: Parameters<typeof editDocumentContent>[0]): Promise<Uint8Array[]> {
  try {
    return await editDocumentContent(edit);
  } catch (error) {
    if (error instanceof ContentError) throw new HttpError(400, error.code, error.message);
    if (error instanceof RenderError) throw new HttpError(500, 'write-failed', 'the content could not be converted');
    throw error;
  }
}

/** The body's type from Content-Type; 415 for a missing or malformed header, any other type, or a charset other than UTF-8. */
function contentTypeOf(req: Request): ContentType {
  // content-type 2 never throws on parsing: a missing or garbled header reads as a type that
  // is not ours. It lower-cases the type and parameter names, not their values.
  const parsed = parseContentType(req.get('Content-Type') ?? '');
  const type = Object.hasOwn(CONTENT_TYPES, parsed.type) ? (CONTENT_TYPES as Record<string, ContentType>)[parsed.type] : undefined;
  const charset = parsed.parameters.charset?.toLowerCase();
  if (!type || (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8')) {
    throw new HttpError(415, 'unsupported-media-type', `the body must be ${MEDIA_TYPES.join(', ')} (UTF-8)`);
  }
  return type;
}
