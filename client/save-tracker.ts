/**
 * Decides whether every local change is durably stored on the server, from the server's saved
 * acknowledgements (shared/protocol.ts: `[100, n]` = the first n update-bearing messages this
 * client sent on this connection are stored).
 *
 * Inputs, in the order they happen: connection opened/closed, each update-bearing frame sent
 * (sync step 2 or sync update, counted by the socket itself), acks, sync state, and local
 * document changes together with whether the provider put them on the wire. A change that was
 * not sent (offline, or the socket was already closing) is carried by the sync step 2 of the next
 * connection, which answers the server's state vector with everything the server lacks; so it is
 * covered once a step 2 sent after it is acknowledged.
 */
import type { UpdateBearingKind } from '../shared/saved-ack-frames.js';

export type SaveState = 'saved' | 'unsaved';

export type OutgoingKind = UpdateBearingKind;

export class SaveTracker {
  #connected = false;
  #synced = false;
  #sent = 0;
  #acked = 0;
  /** Some local change is not known to be stored. */
  #dirty = false;
  /** Some local change was never sent; only a later sync step 2 carries it. */
  #needsStep2 = false;
  /**
   * This connection's sync step 2 went out. A frame sent just before a connection dropped may be
   * lost with it; the next connection's step 2 carries it again, so nothing is "saved" on a new
   * connection before its step 2 is acknowledged (whatever order the server answers in).
   */
  #step2Sent = false;
  readonly #listeners = new Set<(state: SaveState) => void>();

  get state(): SaveState {
    return this.#dirty ? 'unsaved' : 'saved';
  }

  /** Messages sent and acknowledged on the current connection (for diagnostics and tests). */
  get counts(): { sent: number; acked: number } {
    return { sent: this.#sent, acked: this.#acked };
  }

  onChange(listener: (state: SaveState) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** A new WebSocket connection is open: the server counts from zero again. */
  connected(): void {
    this.#connected = true;
    this.#synced = false;
    this.#sent = 0;
    this.#acked = 0;
    this.#step2Sent = false;
  }

  disconnected(): void {
    this.#connected = false;
    this.#synced = false;
  }

  synced(isSynced: boolean): void {
    this.#synced = isSynced;
    this.#settle();
  }

  sent(kind: OutgoingKind): void {
    this.#sent++;
    if (kind === 'step2') {
      this.#needsStep2 = false;
      this.#step2Sent = true;
    }
  }

  acknowledged(count: number): void {
    if (count > this.#acked) this.#acked = count;
    this.#settle();
  }

  /** A change to the document that did not come from the server (typing, undo, local storage). */
  localChange(wasSent: boolean): void {
    if (!wasSent) this.#needsStep2 = true;
    this.#setDirty(true);
  }

  #settle(): void {
    if (this.#dirty && this.#connected && this.#synced && this.#step2Sent && !this.#needsStep2 && this.#acked >= this.#sent) {
      this.#setDirty(false);
    }
  }

  #setDirty(dirty: boolean): void {
    if (this.#dirty === dirty) return;
    this.#dirty = dirty;
    for (const listener of this.#listeners) listener(this.state);
  }
}
