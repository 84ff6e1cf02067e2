/**
 * Revocations: "tokens of subject S (and/or for document D) issued before time T are refused".
 * Checked on every upgrade and HTTP request; listeners (the gateway) close affected connections
 * at once. Kept in memory, and in a JSON file when one is configured so a restart keeps them.
 *
 * Token `iat` has one-second resolution, so a token issued in the same second as a revocation is
 * refused too (the safe side); a token without `iat` is refused by every revocation matching it.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';

export interface Revocation {
  /** Subject whose tokens are revoked; undefined for every subject. */
  readonly sub?: string;
  /** Document the tokens lose access to; undefined for every document. */
  readonly doc?: string;
  /** Milliseconds since the epoch: tokens issued before this are refused. */
  readonly before: number;
}

/** What a revocation is about: a subject, a document, or both. */
export interface RevocationScope {
  readonly sub?: string;
  readonly doc?: string;
}

export interface RevocationTarget {
  readonly sub: string;
  /** Seconds since the epoch, or null. */
  readonly iat: number | null;
}

/** Returns how many connections the listener closed. */
export type RevocationListener = (revocation: Revocation) => number;

export class RevocationList {
  readonly #entries = new Map<string, Revocation>();
  readonly #listeners = new Set<RevocationListener>();
  readonly #file: string | null;
  #saving: Promise<void> = Promise.resolve();

  private constructor(file: string | null) {
    this.#file = file;
  }

  /** Loads the revocations file when there is one (a missing file is an empty list). */
  static async open(file: string | null): Promise<RevocationList> {
    const list = new RevocationList(file);
    if (file === null) return list;
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return list;
      throw error;
    }
    const entries = JSON.parse(text) as Revocation[];
    if (!Array.isArray(entries)) throw new Error(`${file}: expected a JSON array of revocations`);
    for (const entry of entries) list.#add(entry);
    return list;
  }

  get entries(): readonly Revocation[] {
    return [...this.#entries.values()];
  }

  /** Adds a listener called on every revocation; returns the function that removes it. */
  onRevoke(listener: RevocationListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Records the revocation (and saves it), then tells listeners; resolves with connections closed.
   * One already covered by an entry (the same again, from pub/sub, a poll or the file) changes
   * nothing: `isNew` is false, no listener runs and nothing is saved. Nothing is left to close
   * then, since the entry refused matching tokens since it was added and closed those open then.
   */
  async revoke(target: RevocationScope, now = Date.now()): Promise<{ revocation: Revocation; closed: number; isNew: boolean }> {
    if (target.sub === undefined && target.doc === undefined) throw new Error('a revocation needs a subject or a document');
    const existing = this.#entries.get(keyOf(target));
    if (existing && existing.before >= now) return { revocation: existing, closed: 0, isNew: false };
    const revocation = this.#add({ ...target, before: now });
    let closed = 0;
    for (const listener of this.#listeners) closed += listener(revocation);
    await this.#save();
    return { revocation, closed, isNew: true };
  }

  /** True when `token` may no longer be used, for `docName` or (without it) for anything at all. */
  isRevoked(token: RevocationTarget, docName?: string): boolean {
    for (const entry of this.#entries.values()) {
      if (!matches(entry, token, docName)) continue;
      if (token.iat === null || token.iat * 1000 < entry.before) return true;
    }
    return false;
  }

  #add(entry: Revocation): Revocation {
    const key = keyOf(entry);
    const existing = this.#entries.get(key);
    const merged: Revocation = Object.freeze({
      ...(entry.sub !== undefined ? { sub: entry.sub } : {}),
      ...(entry.doc !== undefined ? { doc: entry.doc } : {}),
      before: Math.max(entry.before, existing?.before ?? 0),
    });
    this.#entries.set(key, merged);
    return merged;
  }

  #save(): Promise<void> {
    const file = this.#file;
    if (file === null) return Promise.resolve();
    // Chained so that concurrent revocations never write an older list over a newer one.
    this.#saving = this.#saving.catch(() => undefined).then(async () => {
      const temp = `${file}.tmp`;
      await writeFile(temp, JSON.stringify(this.entries, null, 2));
      await rename(temp, file);
    });
    return this.#saving;
  }
}

function keyOf(scope: RevocationScope): string {
  return `${scope.sub ?? ''}\n${scope.doc ?? ''}`;
}

/** Whether a revocation applies to this token (for this document, or for some document). */
export function matches(entry: Revocation, token: RevocationTarget, docName?: string): boolean {
  if (entry.sub !== undefined && entry.sub !== token.sub) return false;
  if (entry.doc !== undefined && docName !== undefined && entry.doc !== docName) return false;
  // Without a document, only whole-token revocations count (a per-document one leaves the rest).
  if (entry.doc !== undefined && docName === undefined) return false;
  return true;
}
