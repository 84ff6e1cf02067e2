/** Real y-websocket WebsocketProvider clients over `ws`, each with its own Y.Doc. */
import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import WebSocket from 'ws';
import * as decoding from 'lib0/decoding';
import { MessageType, SAVE_ACK_PARAM } from '../../shared/protocol.js';
import { classifyOutgoingFrame } from '../../shared/saved-ack-frames.js';
import { waitFor } from './wait-for.js';

// Each Node-side provider adds a process 'exit' listener; tests run dozens at once.
process.setMaxListeners(Math.max(process.getMaxListeners(), 2_000));

/**
 * A `ws` WebSocket that counts the update-bearing frames (sync step 2 and update) it sends, the
 * same count the server acknowledges. One counter per client; each new socket restarts it.
 */
function countingWebSocket(counter: { sent: number }): unknown {
  return class CountingWebSocket extends WebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols);
      counter.sent = 0;
    }

    override send(data: unknown, ...rest: unknown[]): void {
      if (classifyOutgoingFrame(data)) counter.sent++;
      (super.send as (...a: unknown[]) => void)(data, ...rest);
    }
  };
}


export interface TestClient {
  doc: Y.Doc;
  provider: WebsocketProvider;
  /** Update-bearing messages sent on the current connection. */
  readonly sentUpdateMessages: number;
  /** Highest saved acknowledgement received (only with saveAck). */
  readonly savedCount: number;
  synced(): Promise<void>;
  destroy(): void;
}

export function connectClient(
  wsUrl: string,
  docName: string,
  options: { saveAck?: boolean; doc?: Y.Doc; params?: Record<string, string>; connect?: boolean } = {},
): TestClient {
  const doc = options.doc ?? new Y.Doc();
  const params: Record<string, string> = { ...(options.params ?? {}) };
  if (options.saveAck) params[SAVE_ACK_PARAM] = '1';
  const counter = { sent: 0 };
  const provider = new WebsocketProvider(wsUrl, docName, doc, {
    WebSocketPolyfill: countingWebSocket(counter) as typeof globalThis.WebSocket,
    params,
    connect: options.connect ?? true,
    disableBc: true,
    maxBackoffTime: 500,
  });
  let savedCount = 0;
  provider.messageHandlers[MessageType.savedAck] = (_encoder, decoder) => {
    savedCount = decoding.readVarUint(decoder);
  };
  // A new connection restarts the count, as the server's does.
  provider.on('status', ({ status }: { status: string }) => {
    if (status === 'connected') savedCount = 0;
  });
  return {
    doc,
    provider,
    get savedCount() {
      return savedCount;
    },
    get sentUpdateMessages() {
      return counter.sent;
    },
    async synced() {
      await waitFor(() => provider.synced, { message: `${docName} synced` });
    },
    destroy() {
      provider.destroy();
      doc.destroy();
    },
  };
}
