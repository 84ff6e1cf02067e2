/**
 * Which frames a client sends count towards the saved acknowledgement: sync step 2 and sync
 * update, exactly what the server counts (see SAVE_ACK_PARAM in protocol.ts). Message types are
 * decoded as varuints, as the server decodes them, so an overlong encoding is classified the same.
 */
import * as decoding from 'lib0/decoding';
import { MessageType, SyncMessageType } from './protocol.js';

export type UpdateBearingKind = 'step2' | 'update';

/** The kind of an outgoing y-websocket frame that carries document content, or null. */
export function classifyOutgoingFrame(data: unknown): UpdateBearingKind | null {
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
    // Not a well-formed frame: the server refuses it and never counts it either.
    return null;
  }
}
