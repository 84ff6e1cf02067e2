/**
 * A client's state vector, reduced to what it says about this document: clients the document has
 * never seen are dropped and clocks beyond what the document holds are clamped to it. Yjs answers
 * both vectors with the same bytes (it ignores the unknown clients and sends nothing of a client
 * the peer is ahead of), so the reduced vector is a canonical cache key: a vector full of made-up
 * clients becomes the empty one, and is answered from the cached full state.
 */
import * as Y from 'yjs';

export interface NormalisedStateVector {
  /** Entries in ascending client order; empty means "send me everything". */
  entries: [client: number, clock: number][];
  /** The entries as a string, equal for vectors that get the same answer. */
  key: string;
}

export function normaliseStateVector(stateVector: Map<number, number>, doc: Y.Doc): NormalisedStateVector {
  const entries: [number, number][] = [];
  for (const [client, clock] of stateVector) {
    const held = Y.getState(doc.store, client);
    // A clock of 0 (or a client we lack) asks for nothing a missing entry would not.
    const known = Math.min(clock, held);
    if (known > 0) entries.push([client, known]);
  }
  entries.sort((a, b) => a[0] - b[0]);
  return { entries, key: entries.join(';') };
}

/** The Yjs encoding of a normalised vector, for Y.encodeStateAsUpdate. */
export function encodeNormalisedStateVector(normalised: NormalisedStateVector): Uint8Array {
  return Y.encodeStateVector(new Map(normalised.entries));
}
