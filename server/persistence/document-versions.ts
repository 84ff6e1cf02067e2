/**
 * Versions of a document as the store keeps them (see DocumentStore's version methods): a full
 * Yjs state, compressed with gzip (node:zlib, on libuv's thread pool, so a multi-megabyte state
 * does not hold the event loop) when that is smaller, plus what the history lists about it.
 */
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

export type VersionKind = 'auto' | 'named' | 'pre-restore' | 'restore';
export const VERSION_KINDS: readonly VersionKind[] = ['auto', 'named', 'pre-restore', 'restore'];

/** How a version's state is stored. */
export type VersionEncoding = 'none' | 'gzip';

/** Who edited: a token's `sub` and `name` ("anonymous" in open mode). */
export interface VersionEditor {
  sub: string;
  name: string | null;
}

/** What a caller hands the store: the state uncompressed; the store encodes it. */
export interface NewVersion {
  kind: VersionKind;
  /** The name given to a `named` version; null otherwise. */
  name: string | null;
  /** Milliseconds since the epoch. */
  createdAt: number;
  /** The document's full state as one Yjs update. */
  state: Uint8Array;
  /** Who edited since the previous version. */
  editors: VersionEditor[];
}

/** A version as listed (no state). */
export interface VersionInfo {
  /** Store-assigned: ascending per document, never reused for it. */
  id: number;
  kind: VersionKind;
  name: string | null;
  createdAt: number;
  /** Size of the state uncompressed. */
  bytes: number;
  /** Size as stored. */
  storedBytes: number;
  encoding: VersionEncoding;
  editors: VersionEditor[];
}

export interface StoredVersion extends VersionInfo {
  /** The state, decoded (uncompressed). */
  state: Uint8Array;
}

/** The listed fields, as both stores keep them next to the encoded state. */
export type VersionRecord = Omit<VersionInfo, 'id'>;

/** gzip when it saves bytes, else the state as it is. */
export async function encodeVersionState(state: Uint8Array): Promise<{ data: Uint8Array; encoding: VersionEncoding }> {
  const zipped = await gzipAsync(state);
  return zipped.length < state.length ? { data: zipped, encoding: 'gzip' } : { data: state, encoding: 'none' };
}

export async function decodeVersionState(data: Uint8Array, encoding: VersionEncoding): Promise<Uint8Array> {
  if (encoding === 'none') return data;
  const unzipped = await gunzipAsync(data);
  return new Uint8Array(unzipped.buffer, unzipped.byteOffset, unzipped.byteLength);
}

/** Encodes a new version for storage: the record to keep and the bytes to store. */
export async function prepareVersion(version: NewVersion): Promise<{ record: VersionRecord; data: Uint8Array }> {
  const { data, encoding } = await encodeVersionState(version.state);
  return {
    record: {
      kind: version.kind,
      name: version.name,
      createdAt: version.createdAt,
      bytes: version.state.length,
      storedBytes: data.length,
      encoding,
      editors: version.editors,
    },
    data,
  };
}
