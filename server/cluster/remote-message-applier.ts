/**
 * Applies other members' messages about one live document, in order, in bounded batches (the
 * RemoteInbox calls with a deadline): a run of updates as one transaction tagged
 * {source:'pubsub'} (broadcast to our clients, never stored nor published again), presence
 * through RemoteAwareness, sync requests answered with only what the requester's state vector
 * lacks, replies addressed to us applied as {source:'catch-up'}. A bad message (a foreign
 * publisher, a bug) is reported and skipped.
 */
import * as Y from 'yjs';
import * as awarenessProtocol from 'y-protocols/awareness';
import type { Room } from '../room/room.js';
import type { UpdateOrigin } from '../room/room-peer.js';
import type { ClusterMessage, MemberId } from './cluster-message.js';
import type { Outgoing } from './channel-publisher.js';
import type { MalformedLog } from './malformed-log.js';
import type { RemoteAwareness } from './remote-awareness.js';

export interface RemoteApplierOptions {
  name: string;
  room: Room;
  presence: RemoteAwareness;
  malformed: MalformedLog;
  publish: (message: Outgoing) => void;
  /** The requester has something we lack: ask for it. */
  requestSync: () => void;
  /** A reply to our sync request `requestId` arrived. */
  answered: (requestId: number) => void;
}

const PUBSUB_ORIGIN: UpdateOrigin = Object.freeze({ source: 'pubsub' });
const CATCH_UP_ORIGIN: UpdateOrigin = Object.freeze({ source: 'catch-up' });

export class RemoteMessageApplier {
  readonly #options: RemoteApplierOptions;

  constructor(options: RemoteApplierOptions) {
    this.#options = options;
  }

  /** Applies messages in order until `deadline`; returns how many (remote-inbox.ts). */
  apply(batch: ClusterMessage[], deadline: number): number {
    const room = this.#options.room;
    if (room.isDestroyed) return batch.length;
    const doc = room.doc;
    let next = 0;
    while (next < batch.length) {
      const message = batch[next]!;
      if (message.kind === 'update') {
        // A run of updates is one transaction: one broadcast to our clients.
        doc.transact(() => {
          do {
            this.#applyUpdate(doc, batch[next++]!, PUBSUB_ORIGIN);
          } while (next < batch.length && batch[next]!.kind === 'update' && performance.now() < deadline);
        }, PUBSUB_ORIGIN);
      } else {
        next++;
        this.#applyControl(room, message);
      }
      if (performance.now() >= deadline) break;
    }
    return next;
  }

  #applyControl(room: Room, message: ClusterMessage): void {
    switch (message.kind) {
      case 'awareness':
        try {
          this.#options.presence.apply(message.update, message.sender);
        } catch (error) {
          this.#options.malformed.report({ doc: this.#options.name, member: message.sender, kind: 'awareness' }, String(error));
        }
        return;
      case 'sync-request':
        this.#answer(room, message.sender, message.requestId, message.stateVector);
        return;
      case 'sync-reply':
        room.doc.transact(() => this.#applyUpdate(room.doc, message, CATCH_UP_ORIGIN), CATCH_UP_ORIGIN);
        this.#options.answered(message.requestId);
        return;
      default:
        return;
    }
  }

  /** A bad update (a foreign publisher, a bug) is logged and skipped. */
  #applyUpdate(doc: Y.Doc, message: ClusterMessage, origin: UpdateOrigin): void {
    try {
      Y.applyUpdate(doc, (message as { update: Uint8Array }).update, origin);
    } catch (error) {
      this.#options.malformed.report({ doc: this.#options.name, member: message.sender, kind: message.kind }, String(error));
    }
  }

  /** Sends the requester what its state vector lacks and our clients' presence; asks back if it has more. */
  #answer(room: Room, requester: MemberId, requestId: number, stateVector: Uint8Array): void {
    const doc = room.doc;
    let theirs: Map<number, number>;
    let update: Uint8Array;
    try {
      theirs = Y.decodeStateVector(stateVector);
      update = Y.encodeStateAsUpdate(doc, stateVector);
    } catch (error) {
      this.#options.malformed.report({ doc: this.#options.name, member: requester, kind: 'sync-request' }, String(error));
      return;
    }
    this.#options.publish({ kind: 'sync-reply', to: requester, requestId, update });
    const local = this.#options.presence.localIds();
    if (local.length > 0) this.#options.publish({ kind: 'awareness', update: awarenessProtocol.encodeAwarenessUpdate(room.awareness, local) });
    for (const [client, clock] of theirs) {
      if (clock > Y.getState(doc.store, client)) {
        this.#options.requestSync();
        return;
      }
    }
  }
}
