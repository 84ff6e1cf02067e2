/**
 * Saved acknowledgements for one peer: `[100, n]` once the first n update-bearing messages it
 * sent on this connection are durable (shared/protocol.ts has the promise). The count is handed
 * to the writer after each batch of the peer's messages has been applied, so the acknowledgement
 * covers whatever those messages enqueued, pending updates included. When it leaves is the
 * transport's choice (RoomPeer.sendSavedAck); without one, at once.
 */
import { encodeSavedAck } from '../protocol/codec.js';
import type { RoomPeer } from './room-peer.js';

/** Fields of each peer's state (room PeerState: one flat object per connection, and idle ones add up). */
export interface AckCounts {
  /** Update-bearing messages received. */
  updateMessages: number;
  /** Highest count handed to the writer to acknowledge once durable. */
  ackedUpdateMessages: number;
  /** Highest count known durable, and the highest sent (or handed to the transport's sendSavedAck). */
  durableAck: number;
  sentAck: number;
}

export interface DurabilitySource {
  /** Calls back once everything enqueued so far is durable. */
  onDurable(callback: () => void): void;
}

/** After a batch: acknowledge what the peer has sent so far once the writer has it durable. */
export function requestSavedAck(peer: RoomPeer, counts: AckCounts, writer: DurabilitySource): void {
  if (!peer.wantsSaveAck || counts.updateMessages <= counts.ackedUpdateMessages) return;
  const count = counts.updateMessages;
  counts.ackedUpdateMessages = count;
  writer.onDurable(() => ackDurable(peer, counts, count));
}

/** Several drains often become durable in one write: send the peer one ack, the highest. */
function ackDurable(peer: RoomPeer, counts: AckCounts, count: number): void {
  if (peer.sendSavedAck) {
    // The transport holds it for a ride on its next write and merges what comes meanwhile.
    if (count <= counts.sentAck) return;
    counts.durableAck = counts.sentAck = count;
    if (peer.isOpen) peer.sendSavedAck(count);
    return;
  }
  const scheduled = counts.durableAck > counts.sentAck;
  counts.durableAck = Math.max(counts.durableAck, count);
  if (scheduled) return;
  queueMicrotask(() => {
    if (counts.durableAck <= counts.sentAck) return;
    counts.sentAck = counts.durableAck;
    if (peer.isOpen) peer.send(encodeSavedAck(counts.sentAck));
  });
}
