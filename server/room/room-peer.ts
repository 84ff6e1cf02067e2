/**
 * What a room needs from one client connection. The WebSocket transport implements it; rooms
 * never see sockets, so other transports (and tests) can stand in.
 */
import type { CloseCodeValue } from '../../shared/protocol.js';
import type { DocumentLease } from './document-lease.js';
import type { AwarenessLimits } from './awareness-guard.js';

export interface RoomPeer {
  /** Unique per connection, for logs. */
  readonly id: string;
  /** False for read-only access: document changes from this peer are refused. */
  readonly canWrite: boolean;
  /** True when the client asked for saved acknowledgements. */
  readonly wantsSaveAck: boolean;
  /**
   * True when the client declared it sends only its own presence (OWN_PRESENCE_PARAM): it may be
   * sent its own awareness states back. Absent: false.
   */
  readonly sendsOwnPresenceOnly?: boolean;
  readonly isOpen: boolean;
  /**
   * The token's subject; null in open mode (everyone is anonymous there). A connection may take
   * over an awareness id held by another connection of the same subject (a reconnecting tab).
   */
  readonly subject: string | null;
  /** The token's `name`, shown for this connection instead of the name its client sets; null: the client's. */
  readonly displayName: string | null;
  /** Size and count limits on the awareness states this connection sets. */
  readonly awarenessLimits: AwarenessLimits;
  /**
   * Queues `message` for the client. `onSent` (optional) runs once it has been handed to the
   * operating system, or once the connection is gone and it never will be.
   */
  send(message: Uint8Array, onSent?: () => void): void;
  /**
   * Queues several messages, in order, to leave together (one socket write where the transport
   * can). Optional: without it they are sent one by one. Pass the same array to every peer that
   * gets the same messages, so the transport can frame them once.
   */
  sendAll?(messages: readonly Uint8Array[]): void;
  /**
   * Sends the saved ack `[100, count]` when the transport sees fit: the WebSocket transport lets
   * it ride the next message (transport/saved-ack-ride.ts), keeping only the highest count.
   * Optional: without it the ack is sent at once with send().
   */
  sendSavedAck?(count: number): void;
  close(code: CloseCodeValue, reason: string): void;
  /** Stop reading from this client until resumeInput (TCP backpressure). */
  pauseInput(): void;
  resumeInput(): void;
  /** A document change arrived from a read-only peer; the transport decides when to close. */
  refusedWrite(): void;
  /** `count` awareness entries touching other connections' presence were refused; the transport decides when to close. */
  refusedAwareness(count: number): void;
}

/** Sends `messages` in order, together where the peer's transport can. */
export function sendAll(peer: RoomPeer, messages: readonly Uint8Array[]): void {
  if (peer.sendAll) peer.sendAll(messages);
  else for (const message of messages) peer.send(message);
}

/**
 * Tags every Y.Doc transaction, so that each listener of a room's `update` event knows what to
 * do with a change (room-events.ts):
 *
 * | source     | what it is                                            | broadcast        | stored |
 * |------------|-------------------------------------------------------|------------------|--------|
 * | client     | a connected client's edit                             | to the others    | yes    |
 * | lease      | server code editing through a DocumentLease           | to every peer    | yes    |
 * | store      | the stored state being applied at load                | no               | no     |
 * | pubsub     | another process's live edit, relayed                  | to every peer    | no     |
 * | catch-up   | content another process stored or sent that we lacked | to every peer    | no     |
 *
 * pubsub and catch-up content is never re-stored or republished: the process it came from did so.
 */
export type UpdateOrigin =
  | { source: 'client'; peer: RoomPeer }
  | { source: 'lease'; lease: DocumentLease }
  | { source: 'store' }
  | { source: 'pubsub' }
  | { source: 'catch-up' };

const SOURCES = new Set<string>(['client', 'lease', 'store', 'pubsub', 'catch-up']);

/** Narrows a Y.Doc transaction origin (any value) to an UpdateOrigin. */
export function isUpdateOrigin(origin: unknown): origin is UpdateOrigin {
  return typeof origin === 'object' && origin !== null && SOURCES.has((origin as { source?: unknown }).source as string);
}
