/**
 * Answers an upgrade request that will not become a WebSocket with a plain HTTP error and a JSON
 * body, the same `{ error: { code, message } }` shape as the HTTP API, then closes the socket.
 */
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';

export function rejectUpgrade(socket: Duplex, status: number, code: string, message: string): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify({ error: { code, message } });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n` +
      'Connection: close\r\n' +
      'Content-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
