/** The export formats of a stored document; kept apart from the (heavy) renderers that produce them. */

export const DOCUMENT_FORMATS = ['json', 'html', 'text', 'markdown'] as const;
export type DocumentFormat = (typeof DOCUMENT_FORMATS)[number];

export function isDocumentFormat(value: unknown): value is DocumentFormat {
  return typeof value === 'string' && (DOCUMENT_FORMATS as readonly string[]).includes(value);
}
