/**
 * Writes one message to a peer as a finished binary frame straight onto the TCP socket under its
 * `ws` WebSocket (binary-frame.ts says why that equals `ws.send` here), coalescing writes within
 * one event-loop turn (turn-cork.ts). Falls back to `ws.send` when there is no socket.
 */
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import { binaryFrameOf } from './binary-frame.js';
import { beforeWrite } from './turn-cork.js';

/** The TCP socket under a `ws` WebSocket (`_socket`: not public API, stable across ws 8). */
function tcpSocketOf(ws: WebSocket): Socket | undefined {
  return (ws as unknown as { _socket?: Socket })._socket;
}

/**
 * Writes `message`; `onSent` is called exactly once, when the bytes are written or the socket is
 * destroyed first. Takes and returns the turn of this socket's last write (see turn-cork.ts).
 */
export function writeFrame(ws: WebSocket, message: Uint8Array, onSent: (() => void) | undefined, lastWriteTurn: number): number {
  const socket = tcpSocketOf(ws);
  if (!socket) {
    ws.send(message, onSent);
    return lastWriteTurn;
  }
  const turn = beforeWrite(socket, lastWriteTurn);
  // Node calls a write's callback once the bytes are written, or with an error if the socket
  // is destroyed first: either way exactly once.
  const [first, second] = binaryFrameOf(message);
  if (second) {
    socket.write(first);
    socket.write(second, onSent);
  } else {
    socket.write(first, onSent);
  }
  return turn;
}

/** Frames of several messages joined, per array: a room passes one array to every receiver. */
const joinedFrames = new WeakMap<readonly Uint8Array[], Buffer>();

/**
 * Writes `messages` in order as one buffer of consecutive frames: one socket write, and each
 * frame is still one message for the client (stock y-websocket reads one message per frame).
 */
export function writeFrames(ws: WebSocket, messages: readonly Uint8Array[], lastWriteTurn: number): number {
  const socket = tcpSocketOf(ws);
  if (!socket) {
    for (const message of messages) ws.send(message);
    return lastWriteTurn;
  }
  const turn = beforeWrite(socket, lastWriteTurn);
  let joined = joinedFrames.get(messages);
  if (joined === undefined) {
    joined = Buffer.concat(messages.flatMap((message) => binaryFrameOf(message)));
    joinedFrames.set(messages, joined);
  }
  socket.write(joined);
  return turn;
}
