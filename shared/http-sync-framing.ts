/**
 * The byte framing of the HTTP fallback transport (README "HTTP fallback transport"), shared by
 * server and client. The messages themselves are y-websocket's, unchanged; this only delimits them.
 *
 * Upstream (POST body): one or more messages, each `varUint8Array` (varuint length, bytes).
 * Downstream (the streamed response): records, each `varUint8Array`, whose content starts with a
 * varuint kind:
 *   `[0, seq, varUint8Array message]`  a message as a WebSocket peer would receive it, numbered
 *   `[1, closeCode, varString reason]` the session ended (the WebSocket close code and reason)
 *   `[2]`                              a heartbeat, so proxies and the client see a live stream
 * Pure lib0 encoding: no Node or DOM.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';

export const StreamRecordKind = { message: 0, close: 1, heartbeat: 2 } as const;

export type StreamRecord =
  | { kind: 'message'; seq: number; message: Uint8Array }
  | { kind: 'close'; code: number; reason: string }
  | { kind: 'heartbeat' };

/** A POST body: the messages, each length-prefixed. */
export function encodeMessageBatch(messages: readonly Uint8Array[]): Uint8Array {
  const encoder = encoding.createEncoder();
  for (const message of messages) encoding.writeVarUint8Array(encoder, message);
  return encoding.toUint8Array(encoder);
}

/** Bytes a message takes in a batch (its length prefix included). */
export function framedLength(message: Uint8Array): number {
  return varUintLength(message.length) + message.length;
}

/** The messages of a POST body; throws FramingError on a truncated or empty body. */
export function decodeMessageBatch(body: Uint8Array): Uint8Array[] {
  if (body.length === 0) throw new FramingError('empty body');
  const decoder = decoding.createDecoder(body);
  const messages: Uint8Array[] = [];
  try {
    while (decoding.hasContent(decoder)) messages.push(decoding.readVarUint8Array(decoder));
  } catch (error) {
    throw new FramingError(`truncated frame after ${messages.length} complete messages`, { cause: error });
  }
  return messages;
}

export class FramingError extends Error {
  override readonly name = 'FramingError';
}

export function encodeStreamMessage(seq: number, message: Uint8Array): Uint8Array {
  return record((encoder) => {
    encoding.writeVarUint(encoder, StreamRecordKind.message);
    encoding.writeVarUint(encoder, seq);
    encoding.writeVarUint8Array(encoder, message);
  });
}

export function encodeStreamClose(code: number, reason: string): Uint8Array {
  return record((encoder) => {
    encoding.writeVarUint(encoder, StreamRecordKind.close);
    encoding.writeVarUint(encoder, code);
    encoding.writeVarString(encoder, reason);
  });
}

export const STREAM_HEARTBEAT: Uint8Array = record((encoder) => encoding.writeVarUint(encoder, StreamRecordKind.heartbeat));

function record(write: (encoder: encoding.Encoder) => void): Uint8Array {
  const inner = encoding.createEncoder();
  write(inner);
  const outer = encoding.createEncoder();
  encoding.writeVarUint8Array(outer, encoding.toUint8Array(inner));
  return encoding.toUint8Array(outer);
}

function varUintLength(n: number): number {
  let bytes = 1;
  while (n > 0x7f) {
    n = Math.floor(n / 128);
    bytes++;
  }
  return bytes;
}

/**
 * Reads downstream records from a byte stream cut anywhere (fetch delivers chunks of any size):
 * `push` a chunk, get back the records it completed.
 */
export class StreamRecordReader {
  #pending: Uint8Array = new Uint8Array(0);

  push(chunk: Uint8Array): StreamRecord[] {
    const bytes = this.#pending.length === 0 ? chunk : concat(this.#pending, chunk);
    const decoder = decoding.createDecoder(bytes);
    const records: StreamRecord[] = [];
    let consumed = 0;
    for (;;) {
      let content: Uint8Array;
      try {
        if (!decoding.hasContent(decoder)) break;
        content = decoding.readVarUint8Array(decoder);
      } catch {
        // An incomplete record: wait for the rest.
        break;
      }
      consumed = decoder.pos;
      records.push(readRecord(content));
    }
    this.#pending = bytes.slice(consumed);
    return records;
  }
}

function readRecord(content: Uint8Array): StreamRecord {
  const decoder = decoding.createDecoder(content);
  const kind = decoding.readVarUint(decoder);
  if (kind === StreamRecordKind.message) {
    const seq = decoding.readVarUint(decoder);
    return { kind: 'message', seq, message: decoding.readVarUint8Array(decoder) };
  }
  if (kind === StreamRecordKind.close) {
    const code = decoding.readVarUint(decoder);
    return { kind: 'close', code, reason: decoding.readVarString(decoder) };
  }
  return { kind: 'heartbeat' };
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
