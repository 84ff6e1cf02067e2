/**
 * @hocuspocus/provider over `ws` (Node 20 has no global WebSocket), one socket per client like a
 * browser tab. Its "synced" event and `unsyncedChanges` (changes the server has not yet confirmed
 * applying) are read as the provider documents them; Hocuspocus has no durability acknowledgement.
 */
import * as Y from 'yjs';
import { HocuspocusProvider, type HocuspocusProviderConfiguration } from '@hocuspocus/provider';
import type { BenchClient } from './bench-client.js';
import { createCountingWebSocket } from './counting-web-socket.js';

export function connectHocuspocusClient(wsUrl: string, docName: string): BenchClient {
  const doc = new Y.Doc();
  const text = doc.getText('t');
  let connects = 0;
  let syncedAt: number | null = null;
  let lengthAtSync: number | null = null;
  const WebSocketClass = createCountingWebSocket(
    // Hocuspocus prefixes every message with the document name; sends are not counted.
    () => {},
    () => {
      connects += 1;
    },
  );
  const configuration = {
    url: wsUrl,
    name: docName,
    document: doc,
    WebSocketPolyfill: WebSocketClass,
    onSynced: ({ state }: { state: boolean }) => {
      if (state && syncedAt === null) {
        syncedAt = performance.now();
        lengthAtSync = text.length;
      }
    },
  } as HocuspocusProviderConfiguration;
  const provider = new HocuspocusProvider(configuration);
  // Created by the provider unless configured away (it is not here).
  const awareness = provider.awareness!;
  return {
    doc,
    text,
    awareness,
    get isSynced() {
      return provider.isSynced;
    },
    get syncedAt() {
      return syncedAt;
    },
    get lengthAtSync() {
      return lengthAtSync;
    },
    updatesSent: 0,
    savedCount: 0,
    get unconfirmed() {
      return provider.unsyncedChanges;
    },
    get connects() {
      return connects;
    },
    onSavedAck() {},
    destroy() {
      provider.destroy();
      doc.destroy();
    },
  };
}
