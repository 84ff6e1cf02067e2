/** HttpSyncProvider clients (the HTTP fallback transport) for tests, each with its own Y.Doc. */
import * as Y from 'yjs';
import { HttpSyncProvider, type HttpSyncProviderOptions } from '../../client/transport/http-sync-provider.js';
import { waitFor } from './wait-for.js';

export interface HttpTestClient {
  doc: Y.Doc;
  provider: HttpSyncProvider;
  /** The close codes of the sessions that ended, in order. */
  closes: number[];
  synced(): Promise<void>;
  destroy(): Promise<void>;
}

export function connectHttpClient(
  serverUrl: string,
  docName: string,
  options: Omit<HttpSyncProviderOptions, 'serverUrl'> & { doc?: Y.Doc } = {},
): HttpTestClient {
  const doc = options.doc ?? new Y.Doc();
  const provider = new HttpSyncProvider(docName, doc, { maxBackoffMs: 200, ...options, serverUrl });
  const closes: number[] = [];
  provider.on('connection-close', (code) => closes.push(code));
  return {
    doc,
    provider,
    closes,
    async synced() {
      await waitFor(() => provider.synced, { message: `${docName} synced over HTTP` });
    },
    async destroy() {
      provider.destroy();
      await provider.disconnect();
      doc.destroy();
    },
  };
}
