/**
 * y-websocket `WebsocketProvider` over `ws`, for Tandem and @y/websocket-server. With saveAck it
 * opts in to Tandem's saved acknowledgements (`saveAck=1`, message `[100, n]`) and restarts its
 * count on every new connection, as the server does. With ownPresenceOnly it sends only its own
 * presence, as Tandem's editor configures its provider (and as @hocuspocus/provider does), not
 * an echo of every presence message it receives.
 */
import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import * as decoding from 'lib0/decoding';
import { MessageType, SAVE_ACK_PARAM } from '../../shared/protocol.js';
import { isUpdateBearing, type BenchClient, type ConnectOptions } from './bench-client.js';
import { createCountingWebSocket } from './counting-web-socket.js';
import { sendOwnPresenceOnly } from '../../client/transport/own-presence-only.js';

export function connectYWebsocketClient(wsUrl: string, docName: string, options: ConnectOptions): BenchClient {
  const doc = new Y.Doc();
  const text = doc.getText('t');
  let updatesSent = 0;
  let savedCount = 0;
  let connects = 0;
  let syncedAt: number | null = null;
  let lengthAtSync: number | null = null;
  const ackListeners: ((count: number) => void)[] = [];
  const WebSocketClass = createCountingWebSocket(
    (data) => {
      if (isUpdateBearing(data)) updatesSent += 1;
    },
    () => {
      connects += 1;
      updatesSent = 0;
      savedCount = 0;
    },
  );
  const provider = new WebsocketProvider(wsUrl, docName, doc, {
    WebSocketPolyfill: WebSocketClass as unknown as typeof globalThis.WebSocket,
    params: options.saveAck ? { [SAVE_ACK_PARAM]: '1' } : {},
    disableBc: true,
    maxBackoffTime: 1_000,
    // Connected after sendOwnPresenceOnly, so the first connection declares it too.
    connect: false,
  });
  if (options.ownPresenceOnly) sendOwnPresenceOnly(provider);
  provider.connect();
  provider.messageHandlers[MessageType.savedAck] = (_encoder, decoder) => {
    savedCount = decoding.readVarUint(decoder);
    for (const listener of ackListeners) listener(savedCount);
  };
  provider.on('sync', (isSynced: boolean) => {
    if (isSynced && syncedAt === null) {
      syncedAt = performance.now();
      lengthAtSync = text.length;
    }
  });
  return {
    doc,
    text,
    awareness: provider.awareness,
    get isSynced() {
      return provider.synced;
    },
    get syncedAt() {
      return syncedAt;
    },
    get lengthAtSync() {
      return lengthAtSync;
    },
    get updatesSent() {
      return updatesSent;
    },
    get savedCount() {
      return savedCount;
    },
    unconfirmed: 0,
    get connects() {
      return connects;
    },
    onSavedAck(listener) {
      ackListeners.push(listener);
    },
    destroy() {
      provider.destroy();
      doc.destroy();
    },
  };
}
