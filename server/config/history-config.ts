/**
 * Version history settings (server/history/): when automatic versions are cut and how many are
 * kept per document. Named and pre-restore versions are always kept; see version-retention.ts.
 */
import type { ReadOption } from './read-serve-options.js';

export type HistoryConfig = Readonly<{
  /** An automatic version once a document has been quiet this long after changes. */
  quietMs: number;
  /** At least one automatic version this often during continuous editing. */
  maxIntervalMs: number;
  /** Automatic versions kept per document at most (after thinning by age). */
  maxAutomatic: number;
}>;

export function parseHistoryConfig(read: ReadOption): HistoryConfig {
  return Object.freeze({
    quietMs: read('history-quiet-ms') as number,
    maxIntervalMs: read('history-max-interval-ms') as number,
    maxAutomatic: read('history-max-versions') as number,
  });
}
