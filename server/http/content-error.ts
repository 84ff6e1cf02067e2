/**
 * A body that cannot become document content (malformed, not a document of the editor schema,
 * nested too deeply). Light on purpose: the main thread imports it without loading the parsers.
 */
export type ContentErrorCode = 'invalid-content' | 'too-deeply-nested';

export class ContentError extends Error {
  constructor(
    readonly code: ContentErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** The body types a content write accepts, by their media types. */
export const CONTENT_TYPES = { 'text/html': 'html', 'text/markdown': 'markdown', 'application/json': 'json' } as const;
export type ContentType = (typeof CONTENT_TYPES)[keyof typeof CONTENT_TYPES];
