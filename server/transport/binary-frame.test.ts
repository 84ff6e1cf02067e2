import { describe, expect, it } from 'vitest';
import { binaryFrameOf } from './binary-frame.js';
import { messagesInFrames as parseWithWs } from '../test-support/ws-frames.js';

describe('binaryFrameOf', () => {
  // 7-bit, 16-bit and 64-bit length encodings, and a payload large enough to stay unjoined.
  it.each([0, 1, 125, 126, 65_535, 65_536, 300_000])('frames %i bytes so that ws reads back the same binary message', (size) => {
    const message = new Uint8Array(size).map((_, i) => (i * 31) & 0xff);
    const received = parseWithWs(binaryFrameOf(message));
    expect(received).toHaveLength(1);
    expect(received[0]!.isBinary).toBe(true);
    expect(Buffer.compare(received[0]!.data, Buffer.from(message))).toBe(0);
  });

  it('frames a view into a larger buffer by its own bytes only', () => {
    const backing = new Uint8Array([9, 9, 1, 2, 3, 9]);
    const received = parseWithWs(binaryFrameOf(backing.subarray(2, 5)));
    expect([...received[0]!.data]).toEqual([1, 2, 3]);
  });

  it('builds the frame once per message object', () => {
    const message = new Uint8Array([0, 2, 1, 0]);
    expect(binaryFrameOf(message)).toBe(binaryFrameOf(message));
    expect(binaryFrameOf(new Uint8Array([0, 2, 1, 0]))).not.toBe(binaryFrameOf(message));
  });

  it('keeps only the last few frames: a message framed long ago is framed anew, with the same bytes', () => {
    const message = new Uint8Array([0, 2, 1, 7]);
    const first = binaryFrameOf(message);
    for (let i = 0; i < 10; i++) binaryFrameOf(new Uint8Array([0, 2, 1, i]));
    const again = binaryFrameOf(message);
    expect(again).not.toBe(first);
    expect(Buffer.concat(again)).toEqual(Buffer.concat(first));
  });
});
