import { describe, expect, it } from 'vitest';
import {
  decodeMessageBatch,
  encodeMessageBatch,
  encodeStreamClose,
  encodeStreamMessage,
  FramingError,
  framedLength,
  STREAM_HEARTBEAT,
  StreamRecordReader,
  type StreamRecord,
} from './http-sync-framing.js';

describe('HTTP fallback framing', () => {
  it('a batch decodes to the messages it was made of; its length is the sum of framedLength', () => {
    const messages = [Uint8Array.of(0, 0, 1, 0), new Uint8Array(300).fill(7), Uint8Array.of(3)];
    const batch = encodeMessageBatch(messages);
    expect(decodeMessageBatch(batch)).toEqual(messages);
    expect(batch.length).toBe(messages.reduce((sum, m) => sum + framedLength(m), 0));
  });

  it('refuses an empty or truncated batch', () => {
    expect(() => decodeMessageBatch(new Uint8Array(0))).toThrow(FramingError);
    const batch = encodeMessageBatch([Uint8Array.of(1, 2, 3)]);
    expect(() => decodeMessageBatch(batch.slice(0, -1))).toThrow(FramingError);
  });

  it('reads stream records however the bytes are cut, every one once', () => {
    const stream = concat([encodeStreamMessage(1, Uint8Array.of(0, 0, 1, 0)), STREAM_HEARTBEAT, encodeStreamMessage(200, new Uint8Array(200).fill(9)), encodeStreamClose(4408, 'token expired')]);
    const expected: StreamRecord[] = [
      { kind: 'message', seq: 1, message: Uint8Array.of(0, 0, 1, 0) },
      { kind: 'heartbeat' },
      { kind: 'message', seq: 200, message: new Uint8Array(200).fill(9) },
      { kind: 'close', code: 4408, reason: 'token expired' },
    ];
    for (const size of [1, 2, 3, 7, 64, stream.length]) {
      const reader = new StreamRecordReader();
      const records: StreamRecord[] = [];
      for (let i = 0; i < stream.length; i += size) records.push(...reader.push(stream.slice(i, i + size)));
      expect(records).toEqual(expected);
    }
  });
});

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
