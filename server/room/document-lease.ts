/**
 * A socket-less hold on a live document, for server code (HTTP API, webhooks, history, tests).
 *
 * A lease counts like a peer: the room is not unloaded while it is held, and releasing the last
 * holder unloads the room once its writes are flushed (DocumentRegistry). Edits made through
 * `transact` carry the lease origin, so they are broadcast to every connected client and stored
 * like a client's edit. Obtain one with `DocumentRegistry.open(name)`.
 */
import type * as Y from 'yjs';
import type { Awareness } from 'y-protocols/awareness';
import type { Room } from './room.js';
import type { UpdateOrigin } from './room-peer.js';
import { RoomError } from './room-error.js';

export interface DocumentLease {
  readonly name: string;
  /** The live document, stored state applied. Do not keep it past release(). */
  readonly doc: Y.Doc;
  /** The room's presence (read clients' states; a local state set here is the server's own). */
  readonly awareness: Awareness;
  readonly isReleased: boolean;
  /**
   * Runs `fn` in one transaction tagged `{ source: 'lease', lease }`: one broadcast and one store
   * write for everything it changes. Throws RoomError 'lease-released' after release().
   */
  transact<T>(fn: (doc: Y.Doc) => T): T;
  /**
   * Resolves once everything changed in the document so far (by anyone) is durably stored.
   * Rejects with RoomError 'document-closed' if the room is destroyed first (a shutdown whose
   * flush failed), 'lease-released' if called after release().
   */
  whenSaved(): Promise<void>;
  /** Gives the document back; idempotent. The room unloads if nobody else holds it. */
  release(): void;
}

/** A lease on one room; the registry creates it and is told when it is released. */
export class RoomLease implements DocumentLease {
  readonly name: string;
  readonly #room: Room;
  readonly #onRelease: (lease: RoomLease) => void;
  readonly #origin: UpdateOrigin;
  #released = false;

  constructor(options: { name: string; room: Room; onRelease: (lease: RoomLease) => void }) {
    this.name = options.name;
    this.#room = options.room;
    this.#onRelease = options.onRelease;
    this.#origin = { source: 'lease', lease: this };
  }

  get doc(): Y.Doc {
    return this.#room.doc;
  }

  get awareness(): Awareness {
    return this.#room.awareness;
  }

  get isReleased(): boolean {
    return this.#released;
  }

  transact<T>(fn: (doc: Y.Doc) => T): T {
    if (this.#released) throw new RoomError('lease-released', `the lease on ${this.name} was released`);
    const doc = this.#room.doc;
    let result: T;
    doc.transact(() => {
      result = fn(doc);
    }, this.#origin);
    return result!;
  }

  whenSaved(): Promise<void> {
    if (this.#released) return Promise.reject(new RoomError('lease-released', `the lease on ${this.name} was released`));
    const room = this.#room;
    if (room.isDestroyed) return Promise.reject(new RoomError('document-closed', `${this.name} was closed`));
    return new Promise((resolve, reject) => {
      // A destroyed room's writer never calls back: fail instead of waiting forever.
      const onUnloading = (): void => {
        room.off('unloading', onUnloading);
        reject(new RoomError('document-closed', `${this.name} was closed before its changes were stored`));
      };
      room.on('unloading', onUnloading);
      room.onDurable(() => {
        room.off('unloading', onUnloading);
        resolve();
      });
    });
  }

  release(): void {
    if (this.#released) return;
    this.#released = true;
    this.#onRelease(this);
  }
}
