import type { CloseCodeValue } from '../../shared/protocol.js';
import type { RoomPeer } from '../room/room-peer.js';

/** A connection stand-in that keeps each write: one entry per send or sendAll. */
export class WritesPeer implements RoomPeer {
  readonly canWrite = true;
  readonly wantsSaveAck = false;
  readonly isOpen = true;
  readonly subject = null;
  readonly displayName = null;
  readonly awarenessLimits = { maxStateBytes: 1024, maxIds: 4 };
  readonly writes: Uint8Array[][] = [];
  /** @param sendsOwnPresenceOnly as a client that declared OWN_PRESENCE_PARAM */
  constructor(
    readonly id: string,
    readonly sendsOwnPresenceOnly = false,
  ) {}
  /** Every message sent, in order, whichever write it went in. */
  get sent(): Uint8Array[] {
    return this.writes.flat();
  }
  send(message: Uint8Array): void {
    this.writes.push([message]);
  }
  sendAll(messages: readonly Uint8Array[]): void {
    this.writes.push([...messages]);
  }
  close(_code: CloseCodeValue): void {}
  pauseInput(): void {}
  resumeInput(): void {}
  refusedWrite(): void {}
  refusedAwareness(): void {}
}
