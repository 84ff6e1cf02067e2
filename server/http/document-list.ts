/**
 * GET /api/docs?limit=&cursor= — the stored documents the caller may read, newest change first,
 * a page at a time: `{ documents: [{ name, bytes, updatedAt, connections }], nextCursor }`.
 *
 * The cursor is opaque to callers (base64url of the last item's change time and name); the next
 * page holds what sorts after it. A document changed between two pages moves to the front, so a
 * walk over all pages may miss it or see it twice: the order is the one the start page wants.
 */
import type { Request, Response } from 'express';
import type { DocumentInfo, DocumentStore } from '../persistence/document-store.js';
import { HttpError } from './http-error.js';

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

export interface DocumentListOptions {
  store: DocumentStore;
  /** Whether the caller of this request may read `name` (the auth layer's answer). */
  mayRead: (res: Response, name: string) => boolean;
  /** Live WebSocket connections to `name` in this process (0 when not loaded). */
  liveConnections: (name: string) => number;
}

/** The handler for `app.get('/api/docs', …)` (mounted directly, so metrics label the route `/api/docs`). */
export function createDocumentListHandler(options: DocumentListOptions): (req: Request, res: Response) => Promise<void> {
  return async (req: Request, res: Response) => {
    const limit = parseLimit(req.query.limit);
    const after = req.query.cursor === undefined ? null : parseCursor(req.query.cursor);
    const documents = (await options.store.list()).filter((doc) => options.mayRead(res, doc.name)).sort(compareNewestFirst);
    const start = after ? documents.findIndex((doc) => compareNewestFirst(doc, after) > 0) : 0;
    const page = start < 0 ? [] : documents.slice(start, start + limit);
    const last = page.at(-1);
    const hasMore = start >= 0 && start + limit < documents.length;
    res.setHeader('Cache-Control', 'no-store');
    res.json({
      documents: page.map((doc) => ({
        name: doc.name,
        bytes: doc.bytes,
        updatedAt: new Date(doc.updatedAt).toISOString(),
        connections: options.liveConnections(doc.name),
      })),
      nextCursor: hasMore && last ? encodeCursor(last) : null,
    });
  };
}

type SortKey = Pick<DocumentInfo, 'name' | 'updatedAt'>;

function compareNewestFirst(a: SortKey, b: SortKey): number {
  if (a.updatedAt !== b.updatedAt) return b.updatedAt - a.updatedAt;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

function parseLimit(value: unknown): number {
  if (value === undefined) return DEFAULT_PAGE_SIZE;
  const limit = typeof value === 'string' && /^\d{1,5}$/.test(value) ? Number(value) : NaN;
  if (!(limit >= 1 && limit <= MAX_PAGE_SIZE)) {
    throw new HttpError(400, 'invalid-limit', `limit must be an integer from 1 to ${MAX_PAGE_SIZE}`);
  }
  return limit;
}

function encodeCursor(doc: SortKey): string {
  return Buffer.from(JSON.stringify([doc.updatedAt, doc.name])).toString('base64url');
}

function parseCursor(value: unknown): SortKey {
  try {
    if (typeof value !== 'string') throw new Error('not a string');
    const parsed: unknown = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && parsed.length === 2 && Number.isFinite(parsed[0]) && typeof parsed[1] === 'string') {
      return { updatedAt: parsed[0] as number, name: parsed[1] };
    }
  } catch {
    // Falls through to the one error below: a cursor is either ours or invalid.
  }
  throw new HttpError(400, 'invalid-cursor', 'cursor must be a nextCursor value from an earlier page');
}
