/**
 * Writes one message to a peer as a finished binary frame straight onto the TCP socket under its
 * `ws` WebSocket (binary-frame.ts says why that equals `ws.send` here), coalescing writes within
 * one event-loop turn (turn-cork.ts). Falls back to `ws.send` when there is no socket.
 *
 * A write may carry a `leading` message (a saved ack riding along, saved-ack-ride.ts): its frame
 * goes first, in the same socket write.
 */
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import { binaryFrameOf, frameBefore, JOIN_BELOW_BYTES, oneOffFrame } from './binary-frame.js';
import { beforeWrite } from './turn-cork.js';

/** The TCP socket under a `ws` WebSocket (`_socket`: not public API, stable across ws 8). */
export function tcpSocketOf(ws: WebSocket): Socket | undefined {
  return (ws as unknown as { _socket?: Socket })._socket;
}

/**
 * Writes `message` (after `leading`, if any); `onSent` is called exactly once, when the bytes are
 * written or the socket is destroyed first. Takes and returns the turn of this socket's last
 * write (see turn-cork.ts).
 */
export function writeFrame(
  ws: WebSocket,
  message: Uint8Array,
  onSent: (() => void) | undefined,
  lastWriteTurn: number,
  leading: Uint8Array | null = null,
): number {
  const socket = tcpSocketOf(ws);
  if (!socket) {
    if (leading) ws.send(leading);
    ws.send(message, onSent);
    return lastWriteTurn;
  }
  const turn = beforeWrite(socket, lastWriteTurn);
  // Node calls a write's callback once the bytes are written, or with an error if the socket
  // is destroyed first: either way exactly once.
  const [first, second] = binaryFrameOf(message);
  // `first` is a small frame or a large one's header: joining the leading frame to it is cheap.
  const head = leading ? frameBefore(leading, first) : first;
  if (second) {
    socket.write(head);
    socket.write(second, onSent);
  } else {
    socket.write(head, onSent);
  }
  return turn;
}

/** Frames of several messages joined, per array: a room passes one array to every receiver. */
const joinedFrames = new WeakMap<readonly Uint8Array[], Buffer>();

/**
 * Writes `messages` in order (after `leading`, if any) as one buffer of consecutive frames: one
 * socket write, and each frame is still one message for the client (stock y-websocket reads one
 * message per frame).
 */
export function writeFrames(ws: WebSocket, messages: readonly Uint8Array[], lastWriteTurn: number, leading: Uint8Array | null = null): number {
  const socket = tcpSocketOf(ws);
  if (!socket) {
    if (leading) ws.send(leading);
    for (const message of messages) ws.send(message);
    return lastWriteTurn;
  }
  const turn = beforeWrite(socket, lastWriteTurn);
  let joined = joinedFrames.get(messages);
  if (joined === undefined) {
    joined = Buffer.concat(messages.flatMap((message) => binaryFrameOf(message)));
    joinedFrames.set(messages, joined);
  }
  if (leading === null) {
    socket.write(joined);
  } else if (joined.length < JOIN_BELOW_BYTES) {
    socket.write(frameBefore(leading, joined));
  } else {
    // Too large to copy for a few bytes in front: corked, the two buffers leave in one writev.
    socket.cork();
    for (const part of oneOffFrame(leading)) socket.write(part);
    socket.write(joined);
    socket.uncork();
  }
  return turn;
}
