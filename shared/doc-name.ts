/**
 * Document-name rules, the same on server and client. Names go into URLs, LevelDB keys, SQL rows
 * and Redis channels, so they are an allowlist rather than an escape scheme.
 */

export const MAX_DOC_NAME_LENGTH = 128;

export const DOC_NAME_PATTERN = /^[A-Za-z0-9._-]+$/;

/** True when `name` may name a document: 1-128 of `[A-Za-z0-9._-]`, not `.` or `..`. */
export function isValidDocName(name: string): boolean {
  return (
    name.length > 0 &&
    name.length <= MAX_DOC_NAME_LENGTH &&
    DOC_NAME_PATTERN.test(name) &&
    name !== '.' &&
    name !== '..'
  );
}
