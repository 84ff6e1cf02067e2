/**
 * A WebSocket subclass for y-websocket's `WebSocketPolyfill` option that reports every
 * update-bearing frame it sends, so the client's count matches the server's saved-ack count.
 * Frames are classified by decoding their varuint message types, not by peeking at a byte (an
 * overlong varint would fool a byte check, and the server decodes).
 */
import * as decoding from 'lib0/decoding';
import { MessageType, SyncMessageType } from '../shared/protocol.js';
import type { OutgoingKind } from './save-tracker.js';

type Frame = string | ArrayBufferLike | Blob | ArrayBufferView;

/** The kind of an outgoing y-websocket frame that carries document content, or null. */
export function classifyOutgoingFrame(data: Frame): OutgoingKind | null {
  let bytes: Uint8Array;
  if (data instanceof Uint8Array) bytes = data;
  else if (ArrayBuffer.isView(data)) bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  else if (data instanceof ArrayBuffer) bytes = new Uint8Array(data);
  else return null;
  try {
    const decoder = decoding.createDecoder(bytes);
    if (decoding.readVarUint(decoder) !== MessageType.sync) return null;
    const syncType = decoding.readVarUint(decoder);
    if (syncType === SyncMessageType.step2) return 'step2';
    if (syncType === SyncMessageType.update) return 'update';
    return null;
  } catch {
    // Not a well-formed frame: the server will refuse it and never count it either.
    return null;
  }
}

/**
 * Returns a WebSocket class whose instances call `onSent(socket, kind)` for each update-bearing
 * frame they send while open (a frame sent on a closing socket never reaches the server).
 */
export function createCountingWebSocket(
  Base: typeof WebSocket,
  onSent: (socket: WebSocket, kind: OutgoingKind) => void,
): typeof WebSocket {
  return class CountingWebSocket extends Base {
    override send(data: Frame): void {
      const kind = this.readyState === Base.OPEN ? classifyOutgoingFrame(data) : null;
      super.send(data);
      if (kind) onSent(this, kind);
    }
  };
}
