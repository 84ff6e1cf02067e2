/**
 * How the LevelDB store (leveldb-store.ts) lays documents out: document names and positions in,
 * keys and key ranges out; stored numbers and listing stats to and from bytes.
 *
 * Key spaces: snapshots (name → snapshot), the log (name NUL position → update), meta (name →
 * JSON stats), the compaction point (name → the highest position folded into the snapshot), the
 * generation (name → compactions and deletes so far; absent = 0, as in folders written before it
 * existed), and versions (name NUL id → JSON record, and → encoded state; name → highest version
 * id). Names never contain NUL (see shared/doc-name.ts), so one document's log range never
 * overlaps another's.
 */
import type { DocumentStats } from './document-store.js';
import type { LeveldbWriteOp } from './leveldb-handle.js';

type Bytes = Uint8Array;

/**
 * Key spaces, laid out exactly as `level` sublevels named snap, log and meta would be
 * (`!name!` + key), but written through the root database: the hot append path then skips the
 * sublevel machinery's per-operation work.
 */
export const Space = {
  snapshot: '!snap!',
  log: '!log!',
  meta: '!meta!',
  compactedThrough: '!cpt!',
  generation: '!gen!',
  // Versions: the highest id given (kept across deletes), each version's record, its state.
  versionSeq: '!vseq!',
  version: '!ver!',
  versionData: '!vdat!',
} as const;

const SEQ_DIGITS = 12;
export const json = { encoder: new TextEncoder(), decoder: new TextDecoder() };

export function logKey(name: string, position: number): string {
  return `${Space.log}${name}\u0000${position.toString(16).padStart(SEQ_DIGITS, '0')}`;
}

/** The document's log entries after `afterPosition` (all of them when 0). */
export function logRange(name: string, afterPosition = 0): { gt: string; lt: string } {
  return { gt: afterPosition > 0 ? logKey(name, afterPosition) : `${Space.log}${name}\u0000`, lt: `${Space.log}${name}\u0001` };
}

export function versionKey(space: string, name: string, id: number): string {
  return `${space}${name}\u0000${id.toString(16).padStart(SEQ_DIGITS, '0')}`;
}

export function versionRange(space: string, name: string): { gt: string; lt: string } {
  return { gt: `${space}${name}\u0000`, lt: `${space}${name}\u0001` };
}

export function positionOfLogKey(key: string): number {
  return Number.parseInt(key.slice(key.lastIndexOf('\u0000') + 1), 16);
}

export interface StoredMeta extends DocumentStats {
  lastSeq?: number;
}

export function metaPut(name: string, stats: DocumentStats, lastSeq: number): LeveldbWriteOp {
  // lastSeq: read by earlier versions to continue numbering, and by LeveldbStore's #highestPosition.
  const meta: StoredMeta = { bytes: stats.bytes, updatedAt: stats.updatedAt, lastSeq };
  return { type: 'put', key: Space.meta + name, value: json.encoder.encode(JSON.stringify(meta)) };
}

export function parseMeta(value: Bytes): StoredMeta {
  return JSON.parse(json.decoder.decode(value)) as StoredMeta;
}

export function encodeNumber(value: number): Bytes {
  return json.encoder.encode(String(value));
}

/** A stored counter (compaction point, generation); 0 when there is none. */
export function decodeNumber(value: Bytes | undefined): number {
  if (!value) return 0;
  const number = Number(json.decoder.decode(value));
  return Number.isSafeInteger(number) && number > 0 ? number : 0;
}
