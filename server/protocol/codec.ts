/**
 * Bytes from a client → a typed message, or a ProtocolError; and the server's outgoing frames.
 *
 * Every client frame is decoded completely here, before any of it reaches a Y.Doc: the message
 * type is read as a varuint (so overlong encodings such as `80 00` decode to the same type and
 * cannot dodge a check on the first byte), updates are parsed in full so that a truncated or
 * corrupt update is refused instead of being half-applied by Yjs, state vectors are bounded in size,
 * and trailing bytes are refused.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import * as syncProtocol from 'y-protocols/sync';
import { MessageType, SyncMessageType } from '../../shared/protocol.js';
import { ProtocolError } from './protocol-error.js';

export type ClientMessage =
  /** `stateVector`: client id → the clock the client has up to; validated, not yet normalised. */
  | { kind: 'sync-step1'; stateVector: Map<number, number> }
  /** `createsTypes`: the update holds new Y types, whose nesting depth the room must check. */
  | { kind: 'sync-step2'; update: Uint8Array; createsTypes: boolean }
  | { kind: 'sync-update'; update: Uint8Array; createsTypes: boolean }
  | { kind: 'awareness'; update: Uint8Array }
  | { kind: 'query-awareness' };

/** Messages that carry document content: these are counted for saved acknowledgements. */
export type UpdateMessage = Extract<ClientMessage, { kind: 'sync-step2' | 'sync-update' }>;

export function isUpdateMessage(message: ClientMessage): message is UpdateMessage {
  return message.kind === 'sync-step2' || message.kind === 'sync-update';
}

export function decodeClientMessage(bytes: Uint8Array): ClientMessage {
  if (bytes.length === 0) throw new ProtocolError('empty-message', 'empty frame');
  const decoder = decoding.createDecoder(bytes);
  const message = guardDecode(() => readMessage(decoder));
  if (decoding.hasContent(decoder)) {
    throw new ProtocolError('trailing-bytes', `${bytes.length - decoder.pos} unexpected trailing bytes`);
  }
  return message;
}

function readMessage(decoder: decoding.Decoder): ClientMessage {
  const type = decoding.readVarUint(decoder);
  switch (type) {
    case MessageType.sync:
      return readSyncMessage(decoder);
    case MessageType.awareness:
      return { kind: 'awareness', update: readAwarenessUpdate(decoder) };
    case MessageType.queryAwareness:
      return { kind: 'query-awareness' };
    case MessageType.auth:
    case MessageType.savedAck:
      throw new ProtocolError('server-only-message', `message type ${type} is sent by servers only`);
    default:
      throw new ProtocolError('unknown-message-type', `unknown message type ${type}`);
  }
}

function readSyncMessage(decoder: decoding.Decoder): ClientMessage {
  const syncType = decoding.readVarUint(decoder);
  switch (syncType) {
    case SyncMessageType.step1:
      return { kind: 'sync-step1', stateVector: readStateVector(decoder) };
    case SyncMessageType.step2:
      return { kind: 'sync-step2', ...readValidUpdate(decoder) };
    case SyncMessageType.update:
      return { kind: 'sync-update', ...readValidUpdate(decoder) };
    default:
      throw new ProtocolError('unknown-message-type', `unknown sync message type ${syncType}`);
  }
}

/**
 * Most entries a state vector may name. A document gains one per client session that ever edited
 * it, so real vectors stay far below this; decoding one costs a Map entry per entry, so the count
 * is checked before anything is read.
 */
export const MAX_STATE_VECTOR_ENTRIES = 100_000;

/** A state vector (count, then client id and clock varuints), read in full: no trailing bytes. */
function readStateVector(decoder: decoding.Decoder): Map<number, number> {
  const inner = decoding.createDecoder(decoding.readVarUint8Array(decoder));
  const count = decoding.readVarUint(inner);
  if (count > MAX_STATE_VECTOR_ENTRIES) {
    throw new ProtocolError('state-vector-too-large', `state vector of ${count} entries (at most ${MAX_STATE_VECTOR_ENTRIES})`);
  }
  const stateVector = new Map<number, number>();
  for (let i = 0; i < count; i++) {
    const client = decoding.readVarUint(inner);
    stateVector.set(client, decoding.readVarUint(inner));
  }
  if (decoding.hasContent(inner)) throw new Error('trailing bytes in state vector');
  return stateVector;
}

// The smallest well-formed update (no structs, empty delete set) is two zero bytes.
const MIN_UPDATE_BYTES = 2;

function readValidUpdate(decoder: decoding.Decoder): { update: Uint8Array; createsTypes: boolean } {
  return validateUpdate(decoding.readVarUint8Array(decoder));
}

/**
 * A bare Yjs update (not in a sync frame, as the HTTP API receives it) checked like a client's:
 * parsed in full, or a ProtocolError. `createsTypes` as in ClientMessage.
 */
export function decodeUpdate(update: Uint8Array): { update: Uint8Array; createsTypes: boolean } {
  return guardDecode(() => validateUpdate(update));
}

function validateUpdate(update: Uint8Array): { update: Uint8Array; createsTypes: boolean } {
  if (update.length < MIN_UPDATE_BYTES) {
    throw new ProtocolError('empty-update', `update of ${update.length} bytes`);
  }
  // Parses every struct and the delete set; throws on truncation or garbage. Cheap next to
  // integration, and it is what keeps a bad update from being partly applied.
  const { structs } = Y.decodeUpdate(update);
  // Most updates are typing: only those with new types pay for the room's depth check.
  const createsTypes = structs.some((struct) => struct instanceof Y.Item && struct.content instanceof Y.ContentType);
  return { update, createsTypes };
}

function readAwarenessUpdate(decoder: decoding.Decoder): Uint8Array {
  const update = decoding.readVarUint8Array(decoder);
  const inner = decoding.createDecoder(update);
  const count = decoding.readVarUint(inner);
  for (let i = 0; i < count; i++) {
    decoding.readVarUint(inner); // client id
    decoding.readVarUint(inner); // clock
    JSON.parse(decoding.readVarString(inner));
  }
  if (decoding.hasContent(inner)) throw new Error('trailing bytes in awareness update');
  return update;
}

function guardDecode<T>(decode: () => T): T {
  try {
    return decode();
  } catch (error) {
    if (error instanceof ProtocolError) throw error;
    const detail = error instanceof Error ? error.message : String(error);
    throw new ProtocolError('malformed-message', `malformed message: ${detail}`, { cause: error });
  }
}

export function encodeSyncStep1(doc: Y.Doc): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MessageType.sync);
  syncProtocol.writeSyncStep1(encoder, doc);
  return encoding.toUint8Array(encoder);
}

/** Sync step 2 from an already encoded update (y-protocols only offers it from a whole doc). */
export function encodeSyncStep2(update: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MessageType.sync);
  encoding.writeVarUint(encoder, syncProtocol.messageYjsSyncStep2);
  encoding.writeVarUint8Array(encoder, update);
  return encoding.toUint8Array(encoder);
}

export function encodeSyncUpdate(update: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MessageType.sync);
  syncProtocol.writeUpdate(encoder, update);
  return encoding.toUint8Array(encoder);
}

export function encodeAwarenessMessage(awarenessUpdate: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MessageType.awareness);
  encoding.writeVarUint8Array(encoder, awarenessUpdate);
  return encoding.toUint8Array(encoder);
}

export function encodeSavedAck(durableCount: number): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MessageType.savedAck);
  encoding.writeVarUint(encoder, durableCount);
  return encoding.toUint8Array(encoder);
}
