/**
 * `ws` WebSocket subclasses for providers that take a WebSocketPolyfill, counting what the
 * provider sends so a client can compare it with Tandem's saved acknowledgements.
 */
import WebSocket from 'ws';

export type WebSocketClass = new (address: string, protocols?: string | string[]) => WebSocket;

/** A WebSocket class whose instances call `onSend(data)` for every frame they send. */
export function createCountingWebSocket(onSend: (data: unknown) => void, onOpenSocket: () => void): WebSocketClass {
  return class CountingWebSocket extends WebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols);
      onOpenSocket();
      // Providers detach their handlers before closing; a socket closed while still connecting
      // then emits 'error' with no listener, which would crash the whole client process.
      this.on('error', () => {});
      const send = this.send.bind(this) as (...args: unknown[]) => void;
      this.send = ((data: unknown, ...rest: unknown[]) => {
        onSend(data);
        send(data, ...rest);
      }) as WebSocket['send'];
    }
  };
}
