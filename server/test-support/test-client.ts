/** Real y-websocket WebsocketProvider clients over `ws`, each with its own Y.Doc. */
import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import WebSocket from 'ws';
import * as decoding from 'lib0/decoding';
import { MessageType, SAVE_ACK_PARAM } from '../../shared/protocol.js';
import { waitFor } from './wait-for.js';

export interface TestClient {
  doc: Y.Doc;
  provider: WebsocketProvider;
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
  const provider = new WebsocketProvider(wsUrl, docName, doc, {
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
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
    async synced() {
      await waitFor(() => provider.synced, { message: `${docName} synced` });
    },
    destroy() {
      provider.destroy();
      doc.destroy();
    },
  };
}
