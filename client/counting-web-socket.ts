/**
 * A WebSocket subclass for y-websocket's `WebSocketPolyfill` option that reports every
 * update-bearing frame it sends, so the client's count matches the server's saved-ack count
 * (classified by shared/saved-ack-frames.ts, the same rule the server applies), and every frame
 * it receives (proof the connection is alive, for liveness/).
 */
import { classifyOutgoingFrame } from '../shared/saved-ack-frames.js';
import type { OutgoingKind } from './save-tracker.js';

export { classifyOutgoingFrame };

type Frame = string | ArrayBufferLike | Blob | ArrayBufferView;

/**
 * Returns a WebSocket class whose instances call `onSent(socket, kind)` for each update-bearing
 * frame they send while open (a frame sent on a closing socket never reaches the server), and
 * `onReceived(socket)` for each frame they receive.
 */
export function createCountingWebSocket(
  Base: typeof WebSocket,
  onSent: (socket: WebSocket, kind: OutgoingKind) => void,
  onReceived: (socket: WebSocket) => void = () => {},
): typeof WebSocket {
  return class CountingWebSocket extends Base {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      this.addEventListener('message', () => onReceived(this));
    }

    override send(data: Frame): void {
      const kind = this.readyState === Base.OPEN ? classifyOutgoingFrame(data) : null;
      super.send(data);
      if (kind) onSent(this, kind);
    }
  };
}
