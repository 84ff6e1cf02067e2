/**
 * WebSocket binary frames built once per message, however many peers it goes to. A room
 * broadcasts the same bytes to every member; framing them once (with ws's own framing code) and
 * writing the finished frame saves each receiver a trip through ws's Sender — measured at about a
 * quarter of the cost of a small send.
 *
 * Writing frames to the socket directly is equivalent to `ws.send` only while ws's Sender never
 * queues: it queues only to compress (perMessageDeflate, which the gateway turns off) or to read
 * a Blob (never sent here). The gateway keeps compression off.
 */
import { createRequire } from 'node:module';

interface FrameOptions {
  fin: boolean;
  rsv1: boolean;
  opcode: number;
  mask: boolean;
  readOnly: boolean;
}

// `Sender` is exported by ws (index.js) but not declared in @types/ws.
const { Sender } = createRequire(import.meta.url)('ws') as {
  // [header, payload], or [header] alone for an empty payload.
  Sender: { frame(data: Buffer, options: FrameOptions): Buffer[] };
};

const BINARY_OPCODE = 2;
const SERVER_FRAME: FrameOptions = { fin: true, rsv1: false, opcode: BINARY_OPCODE, mask: false, readOnly: false };
/** Up to this size, header and payload are joined into one buffer (one copy, once). */
export const JOIN_BELOW_BYTES = 16 * 1024;

/** One buffer, or header and payload (large payloads are not copied). */
export type BinaryFrame = [frame: Buffer] | [header: Buffer, payload: Buffer];

/**
 * The last few messages framed, and their frames. A room sends a message to its peers one after
 * another (or a window's update and presence, alternating), so a handful of entries hit almost
 * every time; a WeakMap entry per short-lived message cost the garbage collector more than the
 * framing it saved. Only these few frames are kept alive.
 */
const RECENT = 4;
const recentMessages: (Uint8Array | null)[] = Array.from({ length: RECENT }, () => null);
const recentFrames: (BinaryFrame | null)[] = Array.from({ length: RECENT }, () => null);
let nextSlot = 0;

/** The frame for `message`, to be written in order; built once while the message is recent. */
export function binaryFrameOf(message: Uint8Array): BinaryFrame {
  for (let i = 0; i < RECENT; i++) {
    if (recentMessages[i] === message) return recentFrames[i]!;
  }
  const payload = Buffer.from(message.buffer, message.byteOffset, message.byteLength);
  const parts = Sender.frame(payload, SERVER_FRAME);
  const [header, body] = parts;
  const frame: BinaryFrame = body && payload.length >= JOIN_BELOW_BYTES ? [header!, body] : [joined(parts)];
  recentMessages[nextSlot] = message;
  recentFrames[nextSlot] = frame;
  nextSlot = (nextSlot + 1) % RECENT;
  return frame;
}

/**
 * The frame of a small one-off message (a saved ack) followed by `frame`, in one buffer: both
 * leave in one socket write. Not cached, since the message is written once; the copy of `frame`
 * is small (callers pass a header, or a frame under JOIN_BELOW_BYTES).
 */
export function frameBefore(message: Uint8Array, frame: Buffer): Buffer {
  return Buffer.concat([...oneOffFrame(message), frame]);
}

/** The frame of a one-off message, as header and payload, not cached. */
export function oneOffFrame(message: Uint8Array): Buffer[] {
  return Sender.frame(Buffer.from(message.buffer, message.byteOffset, message.byteLength), SERVER_FRAME);
}

/** Header and payload in one buffer (from Node's pool when small: frames are written and dropped). */
function joined(parts: Buffer[]): Buffer {
  const frame = Buffer.allocUnsafe(parts.reduce((length, part) => length + part.length, 0));
  let offset = 0;
  for (const part of parts) offset += part.copy(frame, offset);
  return frame;
}
