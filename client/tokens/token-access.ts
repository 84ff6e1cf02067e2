/**
 * What a token lets this user do with a document, read from its claims without verifying it:
 * only to decide whether to offer editing. The server verifies the token and refuses writes on
 * its own; this just keeps a read-only user from typing into an editor that cannot save.
 */
import { decodeJwt } from 'jose';
import { accessForDocument, type Access } from '../../shared/token-claims.js';

export function accessFromToken(token: string | undefined, document: string): Access | null {
  if (token === undefined || token === '') return 'write';
  try {
    const { docs } = decodeJwt(token) as { docs?: unknown };
    if (!Array.isArray(docs) || !docs.every((entry) => typeof entry === 'string')) return null;
    return accessForDocument(docs, document);
  } catch (error) {
    console.warn('tandem: could not read the token; opening the document read-only', error);
    return null;
  }
}

/** The token's `sub` (who the user is), read without verifying; null when absent or unreadable. */
export function subjectFromToken(token: string): string | null {
  try {
    const { sub } = decodeJwt(token);
    return typeof sub === 'string' && sub !== '' ? sub : null;
  } catch {
    // An opaque token: the user keeps the id it was given.
    return null;
  }
}
