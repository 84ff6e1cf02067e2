/**
 * The common tail of the HTTP edits (POST …/updates, PUT and POST …/append): hold a lease while
 * the edit runs, check `If-Match` and apply in one turn, answer 200 `{ etag }` once stored.
 */
import type { Response } from 'express';
import * as Y from 'yjs';
import type { DocumentLease } from '../room/document-lease.js';
import { RoomError } from '../room/room-error.js';
import { documentEtag, headerMatchesEtag } from './document-etag.js';
import { HttpError } from './http-error.js';

/**
 * Runs `fn` with a lease on the live document (loading it if needed) and releases it after. A
 * document deleted before or during the edit answers 409 (the edit is not kept); a server
 * stopping, 503.
 */
export async function withLease<T>(open: (name: string) => Promise<DocumentLease>, name: string, fn: (lease: DocumentLease) => Promise<T>): Promise<T> {
  try {
    const lease = await open(name);
    try {
      return await fn(lease);
    } finally {
      lease.release();
    }
  } catch (error) {
    throw error instanceof RoomError ? toHttpError(error) : error;
  }
}

/** 'lease-released' is a bug in the route (a use after release): it stays a 500. */
function toHttpError(error: RoomError): HttpError | RoomError {
  switch (error.code) {
    case 'document-deleting':
      return new HttpError(409, 'document-deleted', 'the document is being deleted; the edit was not applied');
    case 'document-closed':
      return new HttpError(409, 'document-deleted', 'the document was deleted while the edit ran; the edit is not kept');
    case 'server-closing':
      return new HttpError(503, 'server-closing', 'the server is stopping; retry on another server or later');
    case 'lease-released':
      return error;
  }
}

/** 412 unless `If-Match` is absent or names the document's current ETag. */
export function checkIfMatch(doc: Y.Doc, ifMatch: string | undefined): void {
  if (ifMatch !== undefined && !headerMatchesEtag(ifMatch, documentEtag(doc))) {
    throw new HttpError(412, 'precondition-failed', 'the document changed since that ETag');
  }
}

/**
 * Checks the precondition, runs `verify` (which may refuse by throwing), applies `update` as one
 * lease transaction and returns the new ETag, all in one turn: no other edit can slip between
 * the check and the apply.
 */
export function applyThroughLease(
  lease: DocumentLease,
  update: Uint8Array,
  { ifMatch, verify }: { ifMatch: string | undefined; verify?: (doc: Y.Doc) => void },
): string {
  checkIfMatch(lease.doc, ifMatch);
  verify?.(lease.doc);
  lease.transact((doc) => Y.applyUpdate(doc, update));
  return documentEtag(lease.doc);
}

/** 200 `{ etag }` with the ETag header, once everything in the document so far is durably stored. */
export async function answerWhenSaved(res: Response, lease: DocumentLease, etag: string): Promise<void> {
  await lease.whenSaved();
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('ETag', etag);
  res.json({ etag });
}
