/**
 * A room's Y.Doc as loaded from the store, applied lazily, plus the answers to clients' sync
 * step 1.
 *
 * Opening a large document in a fresh process spends most of its time applying the snapshot to
 * a Y.Doc (cold JIT). So the first clients that ask for the full state are answered with the
 * stored bytes as they are, and the bytes are applied once those answers have been handed to the
 * operating system — applying blocks the event loop, and an answer larger than the socket buffer
 * would otherwise wait for it — or at once when something needs the document, or after a
 * fallback delay when no client asks. The full-state answer is cached until the document changes.
 *
 * Answering a state vector costs an encode of everything the client lacks, and a vector naming
 * made-up clients asks for the whole document: a few bytes for a full encode. So vectors are
 * normalised against the document first (normalise-state-vector.ts: made-up clients dropped,
 * clocks clamped), which sends every such vector to the cached full state, and the last few
 * other answers are cached too, until the document changes.
 */
import * as Y from 'yjs';
import { encodeSyncStep2, encodeSyncUpdate } from '../protocol/codec.js';
import type { UpdateOrigin } from './room-peer.js';
import { encodeNormalisedStateVector, normaliseStateVector, type NormalisedStateVector } from './normalise-state-vector.js';

/** Diff answers kept while the document is unchanged: entries, and bytes in all. */
const MAX_CACHED_DIFFS = 8;
const MAX_CACHED_DIFF_BYTES = 16 * 1024 * 1024;
/** When no client asks for the full state, the stored updates are applied after this long. */
const FALLBACK_DELAY_MS = 50;
/** Longest the apply waits for answers still being written (a reader that does not read). */
const MAX_WAIT_FOR_ANSWERS_MS = 1_000;

export interface SyncAnswer {
  replies: Uint8Array[];
  /** Set when the stored state waits for these replies: call once the last one has left. */
  onSent: (() => void) | null;
}

export interface DeferredDocumentOptions {
  doc: Y.Doc;
  /** The stored updates (snapshot first, then the log); may be empty. */
  storedState: Uint8Array[];
  /** Called once the stored updates have been applied (not called when there were none). */
  onApplied: () => void;
}

export class DeferredDocument {
  readonly #doc: Y.Doc;
  readonly #onApplied: () => void;
  /** Stored updates not yet applied to the document. */
  #unapplied: Uint8Array[] | null;
  #scheduled: { timer: NodeJS.Timeout; soon: boolean } | null = null;
  /** What answers an empty state vector while the document is unchanged; null: encode anew. */
  #fullState: Uint8Array[] | null;
  /** Answers from the stored bytes not yet written out, and since when the first has waited. */
  #answersInFlight = 0;
  #waitingSince = 0;
  /** Answers to non-empty normalised state vectors, by key, oldest first; cleared on change. */
  #diffs = new Map<string, Uint8Array[]>();
  #diffBytes = 0;

  constructor(options: DeferredDocumentOptions) {
    this.#doc = options.doc;
    this.#onApplied = options.onApplied;
    this.#unapplied = options.storedState.length > 0 ? options.storedState : null;
    this.#fullState = fullStateFromStored(options.storedState);
  }

  /** The document with everything stored applied to it. */
  get doc(): Y.Doc {
    this.#apply();
    return this.#doc;
  }

  get isApplied(): boolean {
    return this.#unapplied === null;
  }

  /** A peer is waiting for our sync step 1, which needs the applied document. */
  applySoon(): void {
    if (this.#unapplied) this.#schedule(FALLBACK_DELAY_MS);
  }

  /** The messages that answer a client's sync step 1 (`stateVector` as the codec decoded it). */
  answerSyncStep1(stateVector: Map<number, number>): SyncAnswer {
    if (stateVector.size > 0) {
      // Normalising needs the document's own state: apply now.
      const normalised = normaliseStateVector(stateVector, this.doc);
      if (normalised.entries.length > 0) return { replies: this.#diffAnswer(normalised), onSent: null };
    }
    if (this.#unapplied && this.#fullState) {
      // Answered from the stored bytes: apply them once this answer has gone out.
      if (this.#answersInFlight === 0) this.#waitingSince = performance.now();
      this.#answersInFlight++;
      let sent = false;
      const onSent = (): void => {
        if (sent) return;
        sent = true;
        this.#answersInFlight--;
        if (this.#answersInFlight === 0 && this.#unapplied) this.#schedule(0);
      };
      return { replies: this.#fullState, onSent };
    }
    this.#fullState ??= [encodeSyncStep2(Y.encodeStateAsUpdate(this.doc))];
    return { replies: this.#fullState, onSent: null };
  }

  /** The document changed: the cached answers are stale. */
  changed(): void {
    this.#fullState = null;
    if (this.#diffs.size > 0) {
      this.#diffs = new Map();
      this.#diffBytes = 0;
    }
  }

  destroy(): void {
    if (this.#scheduled) clearTimeout(this.#scheduled.timer);
    this.#scheduled = null;
    this.#unapplied = null;
    this.changed();
  }

  #diffAnswer(normalised: NormalisedStateVector): Uint8Array[] {
    const cached = this.#diffs.get(normalised.key);
    if (cached) return cached;
    const answer = [encodeSyncStep2(Y.encodeStateAsUpdate(this.#doc, encodeNormalisedStateVector(normalised)))];
    const bytes = answer[0]!.length;
    if (bytes > MAX_CACHED_DIFF_BYTES) return answer;
    // Oldest out first (a Map iterates in insertion order).
    for (const [key, old] of this.#diffs) {
      if (this.#diffs.size < MAX_CACHED_DIFFS && this.#diffBytes + bytes <= MAX_CACHED_DIFF_BYTES) break;
      this.#diffs.delete(key);
      this.#diffBytes -= old[0]!.length;
    }
    this.#diffs.set(normalised.key, answer);
    this.#diffBytes += bytes;
    return answer;
  }

  #apply(): void {
    const stored = this.#unapplied;
    if (!stored) return;
    this.#unapplied = null;
    if (this.#scheduled) clearTimeout(this.#scheduled.timer);
    this.#scheduled = null;
    const origin: UpdateOrigin = { source: 'store' };
    this.#doc.transact(() => {
      for (const update of stored) Y.applyUpdate(this.#doc, update, origin);
    }, origin);
    this.#onApplied();
  }

  /** Applies after `delayMs`, or in the next turn when 0 (sooner replaces later). */
  #schedule(delayMs: number): void {
    const current = this.#scheduled;
    if (current && (delayMs > 0 || current.soon)) return;
    if (current) clearTimeout(current.timer);
    const run = (): void => {
      this.#scheduled = null;
      const waited = performance.now() - this.#waitingSince;
      if (this.#answersInFlight > 0 && waited < MAX_WAIT_FOR_ANSWERS_MS) {
        this.#schedule(Math.min(FALLBACK_DELAY_MS, MAX_WAIT_FOR_ANSWERS_MS - waited));
        return;
      }
      this.#apply();
    };
    this.#scheduled = { timer: setTimeout(run, delayMs), soon: delayMs === 0 };
  }
}

/**
 * The stored updates as a full-state answer: all but the first as sync updates, then the first
 * as the sync step 2, so that a client's "synced" (fired by step 2) comes after all of it.
 */
function fullStateFromStored(stored: Uint8Array[]): Uint8Array[] | null {
  const [first, ...rest] = stored;
  if (!first) return null;
  return [...rest.map(encodeSyncUpdate), encodeSyncStep2(first)];
}
