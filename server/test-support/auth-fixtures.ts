/**
 * Helpers for the auth and abuse-limit tests: a server with a shared secret, tokens, raw sockets
 * with chosen headers, y-websocket providers over a `ws` with headers/TLS options, and a canary
 * document check proving other documents still work.
 */
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import { WebsocketProvider } from 'y-websocket';
import WebSocket, { type ClientOptions } from 'ws';
import { expect } from 'vitest';
import { mintToken, type MintOptions } from '../auth/mint-token.js';
import { startTestServer, type TestServer } from './test-server.js';
import { connectClient, type TestClient } from './test-client.js';
import { waitFor } from './wait-for.js';

export const SECRET = 'test-secret-0123456789-abcdefghijklmnop';

export function startAuthServer(flags: string[] = [], env: Record<string, string> = {}): Promise<TestServer> {
  return startTestServer(flags, { TANDEM_AUTH_SECRET: SECRET, ...env });
}

export function token(options: Partial<MintOptions> & { docs: readonly string[] }): Promise<string> {
  return mintToken({ secret: SECRET, sub: 'alice', ttlSeconds: 3600, ...options });
}

export interface RawSocket {
  ws: WebSocket;
  opened: Promise<void>;
  closed: Promise<number>;
  received: Uint8Array[];
}

export function rawSocket(wsUrl: string, path: string, options: ClientOptions = {}): RawSocket {
  const ws = new WebSocket(`${wsUrl}${path}`, options);
  const received: Uint8Array[] = [];
  ws.on('error', () => undefined);
  ws.on('message', (data: Buffer) => received.push(new Uint8Array(data)));
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  return { ws, opened, closed, received };
}

/** The HTTP answer to an upgrade that must be refused (fails if a socket opens). */
export function upgradeStatus(wsUrl: string, path: string, options: ClientOptions = {}): Promise<{ status: number; body: { error: { code: string } } }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${wsUrl}${path}`, options);
    ws.on('error', () => undefined);
    ws.once('open', () => {
      ws.terminate();
      reject(new Error(`upgrade to ${path.replace(/token=[^&]*/, 'token=…')} was accepted`));
    });
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(body) as { error: { code: string } } }));
    });
  });
}

export type ProviderClient = Pick<TestClient, 'doc' | 'provider' | 'synced' | 'destroy'>;

/** A stock WebsocketProvider whose sockets carry extra `ws` options (headers, TLS CA). */
export function connectWithOptions(
  wsUrl: string,
  docName: string,
  wsOptions: ClientOptions,
  params: Record<string, string> = {},
): ProviderClient {
  class ConfiguredWebSocket extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols, wsOptions);
    }
  }
  const doc = new Y.Doc();
  const provider = new WebsocketProvider(wsUrl, docName, doc, {
    WebSocketPolyfill: ConfiguredWebSocket as unknown as typeof globalThis.WebSocket,
    params,
    disableBc: true,
    maxBackoffTime: 500,
  });
  return {
    doc,
    provider,
    async synced() {
      await waitFor(() => provider.synced, { message: `${docName} synced` });
    },
    destroy() {
      provider.destroy();
      doc.destroy();
    },
  };
}

/** Two writers on a canary document exchange real content: the server still serves others. */
export async function expectCanaryWorks(server: TestServer, params: Record<string, string> = {}, label = 'canary'): Promise<void> {
  const a = connectClient(server.wsUrl, 'canary', { params });
  const b = connectClient(server.wsUrl, 'canary', { params });
  try {
    await Promise.all([a.synced(), b.synced()]);
    const before = b.doc.getText('t').toString();
    const word = `${label}-${Math.random().toString(36).slice(2, 8)};`;
    a.doc.getText('t').insert(a.doc.getText('t').length, word);
    await waitFor(() => b.doc.getText('t').toString().includes(word), { message: `${label}: canary edit relayed` });
    expect(b.doc.getText('t').toString().length).toBe(before.length + word.length);
  } finally {
    a.destroy();
    b.destroy();
  }
}

/** `[0, 2, update]` with the outer message type written as given bytes (e.g. overlong `80 00`). */
export function syncUpdateFrame(update: Uint8Array, typeBytes: number[] = [0]): Uint8Array {
  const encoder = encoding.createEncoder();
  for (const byte of typeBytes) encoding.writeUint8(encoder, byte);
  encoding.writeVarUint(encoder, 2);
  encoding.writeVarUint8Array(encoder, update);
  return encoding.toUint8Array(encoder);
}

/** An update inserting `text` from a fresh client. */
export function insertUpdate(text: string): Uint8Array {
  const doc = new Y.Doc();
  doc.getText('t').insert(0, text);
  const update = Y.encodeStateAsUpdate(doc);
  doc.destroy();
  return update;
}

/** No captured log line contains the token (nor the query string that carried it). */
export function expectNotLogged(server: TestServer, secretText: string): void {
  const leaked = server.logs.filter((line) => JSON.stringify(line).includes(secretText));
  expect(leaked, 'log lines containing the token').toEqual([]);
}
