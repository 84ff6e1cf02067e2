/**
 * What a room needs from one client connection. The WebSocket transport implements it; rooms
 * never see sockets, so other transports (and tests) can stand in.
 */
import type { CloseCodeValue } from '../../shared/protocol.js';

export interface RoomPeer {
  /** Unique per connection, for logs. */
  readonly id: string;
  /** False for read-only access: document changes from this peer are refused. */
  readonly canWrite: boolean;
  /** True when the client asked for saved acknowledgements. */
  readonly wantsSaveAck: boolean;
  readonly isOpen: boolean;
  /**
   * Queues `message` for the client. `onSent` (optional) runs once it has been handed to the
   * operating system, or once the connection is gone and it never will be.
   */
  send(message: Uint8Array, onSent?: () => void): void;
  close(code: CloseCodeValue, reason: string): void;
  /** Stop reading from this client until resumeInput (TCP backpressure). */
  pauseInput(): void;
  resumeInput(): void;
  /** A document change arrived from a read-only peer; the transport decides when to close. */
  refusedWrite(): void;
}

/** Tags every Y.Doc transaction so that no update is sent back where it came from. */
export type UpdateOrigin =
  | { source: 'client'; peer: RoomPeer }
  | { source: 'store' }
  | { source: 'pubsub' };
