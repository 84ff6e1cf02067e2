/**
 * Closing a connection and waiting for the client's answer. On shutdown every connection is closed
 * with the WebSocket closing handshake, so clients see a clean close code rather than a dropped
 * TCP connection; a client that never answers is dropped after the grace period, so shutdown is
 * bounded.
 */
import type { WebSocket } from 'ws';

/** Runs `startClose` (which sends the close frame) and resolves once the socket has closed. */
export function closeAndWaitFor(ws: WebSocket, startClose: () => void, graceMs: number): Promise<void> {
  if (ws.readyState === ws.CLOSED) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => ws.terminate(), graceMs);
    ws.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    startClose();
  });
}
