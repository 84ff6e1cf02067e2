/**
 * Token claims, the same on server (which verifies them) and client (which only reads them to
 * decide whether to offer editing). Permissions are strings `<pattern>:<read|write>` in the
 * `docs` claim; a pattern is an exact document name, a prefix ending in one `*`, or `*` alone.
 * Matching is plain string comparison, never a regular expression or glob, so a name such as
 * `draft*` cannot widen anything.
 */

export type Access = 'read' | 'write';

export interface TandemClaims {
  /** Subject: the user id; revocation works per subject. */
  sub: string;
  /** Display name shown next to the user's caret. */
  name?: string;
  /** Seconds since the epoch. */
  exp?: number;
  iat?: number;
  /** Per-document permissions, e.g. `["team-*:write", "handbook:read"]`. */
  docs: string[];
  /** May call the admin API (revocation). */
  admin?: boolean;
}

export interface DocPermission {
  pattern: string;
  access: Access;
}

const PERMISSION_PATTERN = /^(\*|[A-Za-z0-9._-]+\*?):(read|write)$/;

/** Parses one `pattern:access` entry; null when it is not well formed. */
export function parsePermission(entry: string): DocPermission | null {
  const match = PERMISSION_PATTERN.exec(entry);
  if (!match) return null;
  return { pattern: match[1]!, access: match[2] as Access };
}

function matches(pattern: string, docName: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('*')) return docName.startsWith(pattern.slice(0, -1));
  return docName === pattern;
}

/** The strongest access the permissions grant on `docName`, or null for none. */
export function accessForDocument(docs: readonly string[], docName: string): Access | null {
  let access: Access | null = null;
  for (const entry of docs) {
    const permission = parsePermission(entry);
    if (!permission || !matches(permission.pattern, docName)) continue;
    if (permission.access === 'write') return 'write';
    access = 'read';
  }
  return access;
}

/**
 * Checks the shape of a verified token's payload: `sub` a non-empty string, `docs` an array of
 * well-formed permissions, `name` a string and `admin` a boolean when present. Returns null when
 * any of it is wrong, so a malformed permission never silently grants or drops access.
 */
export function parseTandemClaims(payload: Readonly<Record<string, unknown>>): TandemClaims | null {
  const { sub, name, exp, iat, docs, admin } = payload;
  if (typeof sub !== 'string' || sub === '') return null;
  if (name !== undefined && typeof name !== 'string') return null;
  if (exp !== undefined && typeof exp !== 'number') return null;
  if (iat !== undefined && typeof iat !== 'number') return null;
  if (admin !== undefined && typeof admin !== 'boolean') return null;
  const entries = docs ?? [];
  if (!Array.isArray(entries)) return null;
  for (const entry of entries) {
    if (typeof entry !== 'string' || parsePermission(entry) === null) return null;
  }
  return {
    sub,
    ...(name !== undefined ? { name } : {}),
    ...(exp !== undefined ? { exp } : {}),
    ...(iat !== undefined ? { iat } : {}),
    docs: entries as string[],
    ...(admin !== undefined ? { admin } : {}),
  };
}
