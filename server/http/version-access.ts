/**
 * What the version routes share: parsing a version id from the path, loading a version or
 * failing with a 404, a document's current state (live room first, else the store), and the
 * listed form of a version.
 */
import * as Y from 'yjs';
import type { DocumentStore } from '../persistence/document-store.js';
import type { StoredVersion, VersionInfo } from '../persistence/document-versions.js';
import { HttpError } from './http-error.js';

export interface VersionSources {
  store: DocumentStore;
  /** The live Y.Doc of a loaded document, or null; must not start a load. */
  peekLoadedDocument: (name: string) => Y.Doc | null;
}

/** A version as the API lists it. */
export interface VersionListing {
  id: number;
  kind: VersionInfo['kind'];
  name: string | null;
  createdAt: string;
  bytes: number;
  storedBytes: number;
  editors: VersionInfo['editors'];
}

export function listingOf(version: VersionInfo): VersionListing {
  return {
    id: version.id,
    kind: version.kind,
    name: version.name,
    createdAt: new Date(version.createdAt).toISOString(),
    bytes: version.bytes,
    storedBytes: version.storedBytes,
    editors: version.editors,
  };
}

export function parseVersionId(raw: string, what = 'version id'): number {
  const id = /^[1-9]\d{0,15}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(id)) throw new HttpError(400, 'invalid-version-id', `${what} must be a positive integer`);
  return id;
}

export async function loadVersionOr404(store: DocumentStore, name: string, id: number): Promise<StoredVersion> {
  const version = await store.loadVersion(name, id);
  if (!version) throw new HttpError(404, 'version-not-found', `${name} has no version ${id}`);
  return version;
}

/** The document's full state as one update, or null when it was never written. */
export async function currentState(sources: VersionSources, name: string): Promise<Uint8Array | null> {
  const live = sources.peekLoadedDocument(name);
  if (live) return Y.encodeStateAsUpdate(live);
  const stored = await sources.store.load(name);
  if (!stored.snapshot && stored.log.length === 0) return null;
  return Y.mergeUpdates([...(stored.snapshot ? [stored.snapshot] : []), ...stored.log]);
}
