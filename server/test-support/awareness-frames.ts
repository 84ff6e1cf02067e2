/** Raw awareness frames for hostile-client tests: any client ids, clocks and states, as y-protocols encodes them. */
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import { MessageType } from '../../shared/protocol.js';
import { encodeAwarenessEntries } from '../room/awareness-guard.js';

export interface RawAwarenessEntry {
  clientID: number;
  clock: number;
  state: unknown;
}

/** `[1, update]`: an awareness message carrying `entries`. */
export function awarenessFrame(entries: readonly RawAwarenessEntry[]): Uint8Array {
  const frame = encoding.createEncoder();
  encoding.writeVarUint(frame, MessageType.awareness);
  encoding.writeVarUint8Array(frame, encodeAwarenessEntries(entries));
  return encoding.toUint8Array(frame);
}

/** `[3]`: ask for everyone's presence. */
export function queryAwarenessFrame(): Uint8Array {
  return Uint8Array.of(MessageType.queryAwareness);
}

/** The number of entries in an awareness frame, or null for any other frame. */
export function awarenessEntryCount(frame: Uint8Array): number | null {
  const decoder = decoding.createDecoder(frame);
  if (decoding.readVarUint(decoder) !== MessageType.awareness) return null;
  return decoding.readVarUint(decoding.createDecoder(decoding.readVarUint8Array(decoder)));
}
