/**
 * Which representation of a document a GET asks for: `?format=` when given, else the Accept
 * header (no header or `*\/*` → JSON). An Accept header naming none of ours is a 406.
 */
import type { Request } from 'express';
import { isDocumentFormat, type DocumentFormat } from '../../shared/document-format.js';
import { HttpError } from './http-error.js';

/** The rendered formats plus the document's raw Yjs state. */
export type ExportFormat = DocumentFormat | 'yjs';

const MEDIA_TYPES: ReadonlyArray<[string, ExportFormat]> = [
  ['application/json', 'json'],
  ['text/html', 'html'],
  ['text/plain', 'text'],
  ['text/markdown', 'markdown'],
  ['application/octet-stream', 'yjs'],
];

export function chooseExportFormat(req: Request): ExportFormat {
  const format = req.query.format;
  if (format !== undefined) {
    if (format === 'yjs' || isDocumentFormat(format)) return format;
    throw new HttpError(400, 'invalid-format', 'format must be one of json, html, text, markdown, yjs');
  }
  const accepted = req.accepts(MEDIA_TYPES.map(([type]) => type));
  const match = MEDIA_TYPES.find(([type]) => type === accepted);
  if (!match) {
    throw new HttpError(406, 'not-acceptable', `Accept must allow one of ${MEDIA_TYPES.map(([type]) => type).join(', ')}`);
  }
  return match[1];
}
