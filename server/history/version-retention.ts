/**
 * Which versions to delete, as a pure function of the list and the time (run each time a version
 * is added, so a document's history stays bounded however long it is edited):
 *
 * - `named` and `pre-restore` versions are kept (people chose them, or a restore may need undoing).
 * - Automatic versions (`auto`, and `restore`, which holds the restored version's content again)
 *   are thinned with age: every one of the last `keepAllMs` (24 h), then the newest of each hour
 *   until `hourlyForMs` (7 days), then the newest of each day; and at most `maxAutomatic` (500)
 *   per document, the oldest going first.
 * - The newest version of all is never deleted (the next version's editors count from it).
 */
import type { VersionInfo } from '../persistence/document-versions.js';

export interface RetentionPolicy {
  keepAllMs: number;
  hourlyForMs: number;
  maxAutomatic: number;
}

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;

export const DEFAULT_RETENTION: RetentionPolicy = Object.freeze({ keepAllMs: DAY_MS, hourlyForMs: 7 * DAY_MS, maxAutomatic: 500 });

export function isThinned(version: Pick<VersionInfo, 'kind'>): boolean {
  return version.kind === 'auto' || version.kind === 'restore';
}

/** Ids of the versions to delete; `versions` in any order. */
export function versionsToDelete(versions: readonly Pick<VersionInfo, 'id' | 'kind' | 'createdAt'>[], now: number, policy: RetentionPolicy): number[] {
  const newestFirst = [...versions].sort((a, b) => b.id - a.id);
  const newestId = newestFirst[0]?.id;
  const seenBuckets = new Set<string>();
  const doomed = new Set<number>();
  let keptAutomatic = 0;
  for (const version of newestFirst) {
    if (!isThinned(version) || version.id === newestId) {
      if (isThinned(version)) keptAutomatic++;
      continue;
    }
    const age = now - version.createdAt;
    let bucket: string | null = null;
    if (age >= policy.hourlyForMs) bucket = `d${Math.floor(version.createdAt / DAY_MS)}`;
    else if (age >= policy.keepAllMs) bucket = `h${Math.floor(version.createdAt / HOUR_MS)}`;
    // Newest first: the first version met in a bucket is its newest, the one kept.
    if (bucket !== null && seenBuckets.has(bucket)) {
      doomed.add(version.id);
      continue;
    }
    if (bucket !== null) seenBuckets.add(bucket);
    if (keptAutomatic >= policy.maxAutomatic) {
      doomed.add(version.id);
      continue;
    }
    keptAutomatic++;
  }
  return [...doomed].sort((a, b) => a - b);
}
