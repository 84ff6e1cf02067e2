/**
 * The envelope cluster members exchange over pub/sub, in lib0 binary encoding:
 *
 *   version u8 | kind u8 | sender 16 bytes | seq varUint | payload (by kind)
 *
 *   update, awareness  varUint8Array: a Yjs / y-protocols awareness update
 *   sync-request       requestId varUint, state vector varUint8Array ("send me what I lack")
 *   sync-reply         to 16 bytes, requestId varUint, update varUint8Array (for one member)
 *   heartbeat, leave   nothing (the seq alone lets receivers notice a lost last message)
 *   revoke             flags u8 (1 sub, 2 doc), sub varString?, doc varString?, before varUint (ms)
 *   delete-begin       deleteId varUint, doc varString (the sender is deleting the document)
 *   delete-ack         to 16 bytes, deleteId varUint (the receiver has closed and flushed it)
 *   delete-end         deleteId varUint, doc varString (the stored copy is gone)
 *
 * `sender` is a random id per process start; `seq` numbers the sender's messages per topic (see
 * sequence-counter.ts) so receivers notice gaps (sequence-tracker.ts). Every kind takes a seq.
 *
 * Decoding is guarded: anything but a well-formed message becomes a ClusterMessageError, and
 * `tryDecodeClusterMessage` returns it instead of throwing, for use inside listeners. Decoded byte
 * arrays are views into the input (no copy).
 */
import { randomBytes } from 'node:crypto';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { ClusterMessageError } from './cluster-message-error.js';

export const CLUSTER_MESSAGE_VERSION = 1;

/** 32 lowercase hex characters (16 random bytes on the wire). */
export type MemberId = string;

const MEMBER_ID_BYTES = 16;
const MEMBER_ID_PATTERN = /^[0-9a-f]{32}$/;
/** Bound on revoke's sub and doc strings, in UTF-8 bytes. */
export const MAX_CLUSTER_TEXT_BYTES = 1024;

const KIND_CODES = {
  update: 0,
  awareness: 1,
  'sync-request': 2,
  'sync-reply': 3,
  heartbeat: 4,
  revoke: 5,
  leave: 6,
  'delete-begin': 7,
  'delete-ack': 8,
  'delete-end': 9,
} as const;

export type ClusterMessageKind = keyof typeof KIND_CODES;
const KIND_BY_CODE = Object.keys(KIND_CODES) as ClusterMessageKind[];

const REVOKE_HAS_SUB = 1;
const REVOKE_HAS_DOC = 2;

/** Same shape as the auth revocation list's entries: tokens issued before `before` (ms) are refused. */
export interface ClusterRevocation {
  readonly sub?: string;
  readonly doc?: string;
  readonly before: number;
}

interface Envelope {
  readonly sender: MemberId;
  readonly seq: number;
}

export type ClusterMessage = Envelope &
  (
    | { readonly kind: 'update'; readonly update: Uint8Array }
    | { readonly kind: 'awareness'; readonly update: Uint8Array }
    | { readonly kind: 'sync-request'; readonly requestId: number; readonly stateVector: Uint8Array }
    | { readonly kind: 'sync-reply'; readonly to: MemberId; readonly requestId: number; readonly update: Uint8Array }
    | { readonly kind: 'heartbeat' }
    | { readonly kind: 'revoke'; readonly revocation: ClusterRevocation }
    | { readonly kind: 'leave' }
    | { readonly kind: 'delete-begin' | 'delete-end'; readonly deleteId: number; readonly doc: string }
    | { readonly kind: 'delete-ack'; readonly to: MemberId; readonly deleteId: number }
  );

export type DecodeResult = { readonly ok: true; readonly message: ClusterMessage } | { readonly ok: false; readonly error: ClusterMessageError };

export function createMemberId(): MemberId {
  return randomBytes(MEMBER_ID_BYTES).toString('hex');
}

export function isMemberId(value: unknown): value is MemberId {
  return typeof value === 'string' && MEMBER_ID_PATTERN.test(value);
}

/** Throws TypeError for a message that could not be decoded again (a bug on the sending side). */
export function encodeClusterMessage(message: ClusterMessage): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeUint8(encoder, CLUSTER_MESSAGE_VERSION);
  encoding.writeUint8(encoder, KIND_CODES[message.kind]);
  writeMemberId(encoder, message.sender, 'sender');
  writeCount(encoder, message.seq, 'seq');
  switch (message.kind) {
    case 'update':
    case 'awareness':
      writeBytes(encoder, message.update, 'update');
      break;
    case 'sync-request':
      writeCount(encoder, message.requestId, 'requestId');
      writeBytes(encoder, message.stateVector, 'stateVector');
      break;
    case 'sync-reply':
      writeMemberId(encoder, message.to, 'to');
      writeCount(encoder, message.requestId, 'requestId');
      writeBytes(encoder, message.update, 'update');
      break;
    case 'revoke': {
      const { sub, doc, before } = message.revocation;
      encoding.writeUint8(encoder, (sub !== undefined ? REVOKE_HAS_SUB : 0) | (doc !== undefined ? REVOKE_HAS_DOC : 0));
      if (sub !== undefined) writeText(encoder, sub, 'sub');
      if (doc !== undefined) writeText(encoder, doc, 'doc');
      writeCount(encoder, before, 'before');
      break;
    }
    case 'delete-begin':
    case 'delete-end':
      writeCount(encoder, message.deleteId, 'deleteId');
      writeText(encoder, message.doc, 'doc');
      break;
    case 'delete-ack':
      writeMemberId(encoder, message.to, 'to');
      writeCount(encoder, message.deleteId, 'deleteId');
      break;
    case 'heartbeat':
    case 'leave':
      break;
  }
  return encoding.toUint8Array(encoder);
}

export function decodeClusterMessage(bytes: Uint8Array): ClusterMessage {
  if (bytes.length === 0) throw new ClusterMessageError('empty', 'empty cluster message');
  const decoder = decoding.createDecoder(bytes);
  let message: ClusterMessage;
  try {
    message = readMessage(decoder);
  } catch (error) {
    if (error instanceof ClusterMessageError) throw error;
    throw new ClusterMessageError('malformed', `malformed cluster message: ${(error as Error).message}`, { cause: error });
  }
  if (decoding.hasContent(decoder)) {
    throw new ClusterMessageError('trailing-bytes', `${bytes.length - decoder.pos} bytes after a ${message.kind} message`);
  }
  return message;
}

/** Never throws: for pub/sub handlers, where a throw would only be logged far from its cause. */
export function tryDecodeClusterMessage(bytes: Uint8Array): DecodeResult {
  try {
    return { ok: true, message: decodeClusterMessage(bytes) };
  } catch (error) {
    if (error instanceof ClusterMessageError) return { ok: false, error };
    return { ok: false, error: new ClusterMessageError('malformed', `malformed cluster message: ${String(error)}`, { cause: error }) };
  }
}

function readMessage(decoder: decoding.Decoder): ClusterMessage {
  const version = readByte(decoder, 'version');
  if (version !== CLUSTER_MESSAGE_VERSION) {
    throw new ClusterMessageError('unsupported-version', `cluster message version ${version}; this member speaks ${CLUSTER_MESSAGE_VERSION}`);
  }
  const code = readByte(decoder, 'kind');
  const kind = KIND_BY_CODE[code];
  if (kind === undefined) throw new ClusterMessageError('unknown-kind', `unknown cluster message kind ${code}`);
  const sender = readMemberId(decoder);
  const seq = readCount(decoder, 'seq');
  switch (kind) {
    case 'update':
    case 'awareness':
      return { kind, sender, seq, update: readBytes(decoder, 'update') };
    case 'sync-request': {
      const requestId = readCount(decoder, 'requestId');
      return { kind, sender, seq, requestId, stateVector: readBytes(decoder, 'stateVector') };
    }
    case 'sync-reply': {
      const to = readMemberId(decoder);
      const requestId = readCount(decoder, 'requestId');
      return { kind, sender, seq, to, requestId, update: readBytes(decoder, 'update') };
    }
    case 'revoke':
      return { kind, sender, seq, revocation: readRevocation(decoder) };
    case 'delete-begin':
    case 'delete-end': {
      const deleteId = readCount(decoder, 'deleteId');
      return { kind, sender, seq, deleteId, doc: readText(decoder, 'doc') };
    }
    case 'delete-ack': {
      const to = readMemberId(decoder);
      return { kind, sender, seq, to, deleteId: readCount(decoder, 'deleteId') };
    }
    case 'heartbeat':
    case 'leave':
      return { kind, sender, seq };
  }
}

function readRevocation(decoder: decoding.Decoder): ClusterRevocation {
  const flags = readByte(decoder, 'revoke flags');
  if ((flags & ~(REVOKE_HAS_SUB | REVOKE_HAS_DOC)) !== 0) throw malformed(`revoke flags ${flags}`);
  const sub = flags & REVOKE_HAS_SUB ? readText(decoder, 'sub') : undefined;
  const doc = flags & REVOKE_HAS_DOC ? readText(decoder, 'doc') : undefined;
  const before = readCount(decoder, 'before');
  return { ...(sub !== undefined && { sub }), ...(doc !== undefined && { doc }), before };
}

// lib0's readUint8 returns undefined past the end instead of throwing.
function readByte(decoder: decoding.Decoder, field: string): number {
  if (!decoding.hasContent(decoder)) throw malformed(`no ${field}`);
  return decoding.readUint8(decoder);
}

function malformed(detail: string): ClusterMessageError {
  return new ClusterMessageError('malformed', `malformed cluster message: ${detail}`);
}

function writeMemberId(encoder: encoding.Encoder, id: MemberId, field: string): void {
  if (!isMemberId(id)) throw new TypeError(`cluster message ${field}: expected 32 lowercase hex characters`);
  encoding.writeUint8Array(encoder, Buffer.from(id, 'hex'));
}

function readMemberId(decoder: decoding.Decoder): MemberId {
  return Buffer.from(decoding.readUint8Array(decoder, MEMBER_ID_BYTES)).toString('hex');
}

function writeCount(encoder: encoding.Encoder, value: number, field: string): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new TypeError(`cluster message ${field}: expected a non-negative safe integer, got ${value}`);
  encoding.writeVarUint(encoder, value);
}

function readCount(decoder: decoding.Decoder, field: string): number {
  const value = decoding.readVarUint(decoder);
  if (!Number.isSafeInteger(value)) throw malformed(`${field} out of range`);
  return value;
}

// Zero-length updates are refused both ways: Yjs has looped on them (yjs #498).
function writeBytes(encoder: encoding.Encoder, bytes: Uint8Array, field: string): void {
  if (bytes.length === 0) throw new TypeError(`cluster message ${field}: empty`);
  encoding.writeVarUint8Array(encoder, bytes);
}

function readBytes(decoder: decoding.Decoder, field: string): Uint8Array {
  const length = readCount(decoder, `${field} length`);
  if (length === 0) throw malformed(`empty ${field}`);
  if (length > decoder.arr.length - decoder.pos) throw malformed(`${field} of ${length} bytes, ${decoder.arr.length - decoder.pos} left`);
  return decoding.readUint8Array(decoder, length);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function writeText(encoder: encoding.Encoder, text: string, field: string): void {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.toString('utf8') !== text) throw new TypeError(`cluster message ${field}: not well-formed Unicode`);
  if (bytes.length > MAX_CLUSTER_TEXT_BYTES) throw new TypeError(`cluster message ${field}: over ${MAX_CLUSTER_TEXT_BYTES} bytes`);
  encoding.writeVarUint8Array(encoder, bytes);
}

function readText(decoder: decoding.Decoder, field: string): string {
  const length = readCount(decoder, `${field} length`);
  if (length > MAX_CLUSTER_TEXT_BYTES) throw malformed(`${field} of ${length} bytes`);
  if (length > decoder.arr.length - decoder.pos) throw malformed(`${field} of ${length} bytes, ${decoder.arr.length - decoder.pos} left`);
  return utf8.decode(decoding.readUint8Array(decoder, length));
}
