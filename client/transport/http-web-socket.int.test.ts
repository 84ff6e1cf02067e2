/**
 * HttpWebSocket against a real server: y-websocket's own WebsocketProvider, given the adapter as
 * its WebSocketPolyfill, works over the HTTP fallback unchanged: it converges with a stock
 * provider over `ws`, presence both ways, its update-bearing messages (counted as the editor
 * counts them) are all acknowledged as saved, a heartbeat (query-awareness) is answered, leaving
 * removes its presence for the others, and a refused session closes like a refused upgrade.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import * as decoding from 'lib0/decoding';
import { MessageType, OWN_PRESENCE_PARAM, SAVE_ACK_PARAM } from '../../shared/protocol.js';
import { startTestServer, type TestServer } from '../../server/test-support/test-server.js';
import { startAuthServer } from '../../server/test-support/auth-fixtures.js';
import { connectClient, type TestClient } from '../../server/test-support/test-client.js';
import { waitFor } from '../../server/test-support/wait-for.js';
import { createCountingWebSocket } from '../counting-web-socket.js';
import { HttpWebSocket, parseSocketUrl } from './http-web-socket.js';

const HttpSocket = HttpWebSocket as unknown as typeof WebSocket;

interface HttpProviderClient {
  doc: Y.Doc;
  provider: WebsocketProvider;
  counts: { sent: number; saved: number; received: number };
}

describe('parseSocketUrl', () => {
  it('maps the provider URL (scheme, prefix, document, token, saveAck, ownPresence) to the HTTP session', () => {
    expect(parseSocketUrl('wss://example.com/tandem/my-doc?token=abc&saveAck=1&ownPresence=1')).toEqual({
      serverUrl: 'https://example.com/tandem',
      docName: 'my-doc',
      token: 'abc',
      saveAck: true,
      ownPresence: true,
    });
    expect(parseSocketUrl('ws://127.0.0.1:1234/plan')).toEqual({ serverUrl: 'http://127.0.0.1:1234', docName: 'plan', token: undefined, saveAck: false, ownPresence: false });
    expect(() => parseSocketUrl('ws://127.0.0.1:1234/')).toThrow(/no document/);
  });
});

describe('HttpWebSocket under y-websocket’s WebsocketProvider', () => {
  let server: TestServer;
  const providers: WebsocketProvider[] = [];
  const wsClients: TestClient[] = [];

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterEach(() => {
    for (const provider of providers.splice(0)) provider.destroy();
    for (const client of wsClients.splice(0)) client.destroy();
  });
  afterAll(() => server.dispose());

  const connectOverHttp = (docName: string, params: Record<string, string> = {}): HttpProviderClient => {
    const doc = new Y.Doc();
    const counts = { sent: 0, saved: 0, received: 0 };
    let provider: WebsocketProvider | null = null;
    const Counting = createCountingWebSocket(
      HttpSocket,
      (socket) => {
        if (socket === provider?.ws) counts.sent++;
      },
      () => counts.received++,
    );
    provider = new WebsocketProvider(server.wsUrl, docName, doc, {
      WebSocketPolyfill: Counting,
      params: { [SAVE_ACK_PARAM]: '1', ...params },
      disableBc: true,
      maxBackoffTime: 500,
    });
    provider.messageHandlers[MessageType.savedAck] = (_encoder, decoder) => {
      counts.saved = decoding.readVarUint(decoder);
    };
    providers.push(provider);
    return { doc, provider, counts };
  };

  it('converges with a stock WebSocket provider, presence both ways, and every edit it sent is acknowledged as saved', async () => {
    const a = connectOverHttp('adapter-converge');
    const b = connectClient(server.wsUrl, 'adapter-converge');
    wsClients.push(b);
    await waitFor(() => a.provider.synced && b.provider.synced, { message: 'both synced' });
    expect(a.provider.ws).toBeInstanceOf(HttpWebSocket);
    for (let i = 0; i < 20; i++) {
      a.doc.getText('t').insert(a.doc.getText('t').length, `h${i} `);
      b.doc.getText('t').insert(0, `w${i} `);
    }
    await waitFor(() => a.doc.getText('t').toString() === b.doc.getText('t').toString() && a.doc.getText('t').length === 140, {
      message: 'both texts equal and complete',
    });
    const text = a.doc.getText('t').toString();
    for (let i = 0; i < 20; i++) {
      expect(text).toContain(`h${i} `);
      expect(text).toContain(`w${i} `);
    }

    a.provider.awareness.setLocalStateField('user', { name: 'Hattie' });
    b.provider.awareness.setLocalStateField('user', { name: 'Wes' });
    const name = (provider: WebsocketProvider, clientId: number): string | undefined =>
      (provider.awareness.getStates().get(clientId) as { user?: { name: string } } | undefined)?.user?.name;
    await waitFor(() => name(b.provider, a.doc.clientID) === 'Hattie' && name(a.provider, b.doc.clientID) === 'Wes', { message: 'presence both ways' });

    expect(a.counts.sent).toBeGreaterThanOrEqual(20);
    await waitFor(() => a.counts.saved === a.counts.sent, { message: `saved acks for all ${a.counts.sent} update messages` });
  });

  it('passes ownPresence=1 on to the session: the server sends such a provider its own presence back, as it does over a WebSocket', async () => {
    const a = connectOverHttp('adapter-own-presence', { [OWN_PRESENCE_PARAM]: '1' });
    const watcher = connectClient(server.wsUrl, 'adapter-own-presence');
    wsClients.push(watcher);
    await waitFor(() => a.provider.synced && watcher.provider.synced, { message: 'both synced' });
    const ownIdsReceived: number[] = [];
    a.provider.ws!.addEventListener('message', (event: MessageEvent<ArrayBuffer>) => {
      const decoder = decoding.createDecoder(new Uint8Array(event.data));
      if (decoding.readVarUint(decoder) !== MessageType.awareness) return;
      const update = decoding.createDecoder(decoding.readVarUint8Array(decoder));
      for (let n = decoding.readVarUint(update); n > 0; n--) {
        const id = decoding.readVarUint(update);
        decoding.readVarUint(update);
        decoding.readVarString(update);
        if (id === a.doc.clientID) ownIdsReceived.push(id);
      }
    });
    a.provider.awareness.setLocalStateField('cursor', 'moved');
    await waitFor(() => watcher.provider.awareness.getStates().get(a.doc.clientID)?.cursor === 'moved', { message: 'the move reached the watcher' });
    await waitFor(() => ownIdsReceived.length > 0, { message: 'its own state sent back to it' });
  });

  it('answers a heartbeat (query-awareness) over HTTP, which the liveness watchdog relies on', async () => {
    const a = connectOverHttp('adapter-heartbeat');
    await waitFor(() => a.provider.synced, { message: 'synced' });
    const types: number[] = [];
    a.provider.ws!.addEventListener('message', (event: MessageEvent<ArrayBuffer>) => types.push(new Uint8Array(event.data)[0]!));
    a.provider.ws!.send(Uint8Array.of(MessageType.queryAwareness));
    // Alone in the document, with its own presence echo dropped: only the heartbeat gets presence back.
    await waitFor(() => types.includes(MessageType.awareness), { message: 'an awareness answer to the heartbeat' });
  });

  it('leaves the session when the provider disconnects: the others see its presence go at once', async () => {
    const a = connectOverHttp('adapter-leave');
    const b = connectClient(server.wsUrl, 'adapter-leave');
    wsClients.push(b);
    a.provider.awareness.setLocalStateField('user', { name: 'Leaving' });
    await waitFor(() => b.provider.awareness.getStates().has(a.doc.clientID), { message: 'presence seen' });
    a.provider.disconnect();
    // Far below the session reap time (two heartbeats, 60 s by default): the DELETE did it.
    await waitFor(() => !b.provider.awareness.getStates().has(a.doc.clientID), { timeoutMs: 3_000, message: 'presence removed' });
  });
});

describe('HttpWebSocket refusals', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startAuthServer();
  });
  afterAll(() => server.dispose());

  it('a session refused on opening (no token: 401) closes with 1006 after an error event, as a refused upgrade does', async () => {
    const socket = new HttpWebSocket(`${server.wsUrl}/refused`);
    const events: string[] = [];
    socket.addEventListener('error', () => events.push('error'));
    const closed = new Promise<{ code: number; reason: string }>((resolve) => {
      socket.onclose = (event) => resolve({ code: event.code, reason: event.reason });
    });
    const { code, reason } = await closed;
    expect(events).toEqual(['error']);
    expect(code).toBe(1006);
    expect(reason).toBe('missing-token');
    expect(socket.readyState).toBe(HttpWebSocket.CLOSED);
  });
});
