/**
 * The WebSocket liveness wiring with a real server and a real y-websocket provider over `ws`,
 * through a TCP relay that can freeze its open connections (they stay open, nothing passes: what
 * Chromium's offline mode does to an open WebSocket) or refuse new ones (the network is down).
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import WebSocket from 'ws';
import * as decoding from 'lib0/decoding';
import { MessageType, SAVE_ACK_PARAM } from '../../shared/protocol.js';
import { startTestServer, type TestServer } from '../../server/test-support/test-server.js';
import { waitFor } from '../../server/test-support/wait-for.js';
import { createCountingWebSocket } from '../counting-web-socket.js';
import { watchWebSocketLiveness, type WebSocketLiveness } from './web-socket-liveness.js';

interface Relay {
  url: string;
  /** Open connections stay open and pass nothing from now on; new ones pass. */
  freezeOpen(): void;
  /** New connections are closed at once (or accepted again). */
  refuseNew(refuse: boolean): void;
  close(): Promise<void>;
}

async function startRelay(targetPort: number): Promise<Relay> {
  const sockets = new Set<net.Socket>();
  let refuse = false;
  const frozen = new WeakSet<net.Socket>();
  const server = net.createServer((client) => {
    if (refuse) return client.destroy();
    const upstream = net.connect(targetPort, '127.0.0.1');
    for (const [from, to] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      sockets.add(from);
      from.on('data', (chunk: Buffer) => {
        if (!frozen.has(from)) to.write(chunk);
      });
      from.on('error', () => to.destroy());
      from.on('close', () => {
        sockets.delete(from);
        to.destroy();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}`,
    freezeOpen() {
      for (const socket of sockets) frozen.add(socket);
    },
    refuseNew(next) {
      refuse = next;
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

interface WatchedClient {
  doc: Y.Doc;
  provider: WebsocketProvider;
  statuses: Array<{ status: string; at: number }>;
  browser: EventTarget;
  destroy(): void;
}

/** A provider wired like createEditor wires it: counted frames, saved acks, liveness. */
function watchedClient(url: string, docName: string, random: () => number = Math.random): WatchedClient {
  const doc = new Y.Doc();
  const browser = new EventTarget();
  let provider: WebsocketProvider | null = null;
  let liveness: WebSocketLiveness | null = null;
  const Socket = createCountingWebSocket(
    WebSocket as unknown as typeof globalThis.WebSocket,
    (socket) => {
      if (socket === provider?.ws) liveness?.sent();
    },
    (socket) => {
      if (socket === provider?.ws) liveness?.received();
    },
  );
  provider = new WebsocketProvider(url, docName, doc, { WebSocketPolyfill: Socket, params: { [SAVE_ACK_PARAM]: '1' }, disableBc: true, connect: false });
  provider.messageHandlers[MessageType.savedAck] = (_encoder, decoder) => liveness?.acknowledged(decoding.readVarUint(decoder));
  liveness = watchWebSocketLiveness(provider, { events: browser, backoff: { random } });
  const statuses: WatchedClient['statuses'] = [];
  provider.on('status', ({ status }) => statuses.push({ status, at: Date.now() }));
  provider.connect();
  const owned = provider;
  return {
    doc,
    provider: owned,
    statuses,
    browser,
    destroy() {
      liveness?.destroy();
      owned.destroy();
    },
  };
}

let server: TestServer;
let relay: Relay;
const clients: WatchedClient[] = [];

beforeEach(async () => {
  server = await startTestServer();
  relay = await startRelay(server.server.port);
});

afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy();
  await relay.close();
  await server.dispose();
});

async function storedText(name: string): Promise<string> {
  const response = await fetch(`${server.url}/api/docs/${name}?format=text`);
  return response.ok ? response.text() : '';
}

describe('WebSocket liveness', () => {
  it('closes an open socket that stopped passing frames 4-5 s after an edit, reconnects, and the edit reaches the server', async () => {
    const client = watchedClient(relay.url, 'frozen');
    clients.push(client);
    await waitFor(() => client.provider.synced, { message: 'first sync' });
    relay.freezeOpen();
    const editedAt = Date.now();
    const paragraph = new Y.XmlElement('paragraph');
    paragraph.insert(0, [new Y.XmlText('typed into a frozen socket')]);
    client.doc.getXmlFragment('default').insert(0, [paragraph]);
    await waitFor(() => client.statuses.some((s) => s.status === 'disconnected'), { timeoutMs: 8000, message: 'the frozen socket closed' });
    const noticedMs = client.statuses.find((s) => s.status === 'disconnected')!.at - editedAt;
    expect(noticedMs).toBeGreaterThanOrEqual(3900);
    expect(noticedMs).toBeLessThan(5500);
    await waitFor(async () => (await storedText('frozen')) === 'typed into a frozen socket', { timeoutMs: 8000, message: 'the edit on the server' });
    expect(client.statuses.at(-1)?.status).toBe('connected');
  });

  it('reconnects at once on the browser’s online event instead of waiting out the backoff', async () => {
    // random → 1: every wait is its whole step (200, 400, 800, 1600, 3200, 6400 ms…).
    const client = watchedClient(relay.url, 'online', () => 0.999_999);
    clients.push(client);
    await waitFor(() => client.provider.synced, { message: 'first sync' });
    relay.refuseNew(true);
    relay.freezeOpen();
    client.browser.dispatchEvent(new Event('offline'));
    await waitFor(() => client.provider.wsUnsuccessfulReconnects >= 5, { timeoutMs: 20_000, message: 'five failed attempts' });
    relay.refuseNew(false);
    // The next wait is now at least 3.2 s; the online event cuts it short.
    const onlineAt = Date.now();
    client.browser.dispatchEvent(new Event('online'));
    await waitFor(() => client.provider.wsconnected, { timeoutMs: 3000, message: 'connected after the online event' });
    expect(Date.now() - onlineAt).toBeLessThan(1000);
  });

  it('spaces failed attempts with jittered exponential backoff (half of y-websocket’s own wait when the random draw is 0)', async () => {
    const client = watchedClient(relay.url, 'backoff', () => 0);
    clients.push(client);
    await waitFor(() => client.provider.synced, { message: 'first sync' });
    relay.refuseNew(true);
    const attempts: number[] = [];
    client.provider.on('status', ({ status }) => {
      if (status === 'connecting') attempts.push(Date.now());
    });
    relay.freezeOpen();
    client.browser.dispatchEvent(new Event('offline'));
    await waitFor(() => attempts.length >= 5, { timeoutMs: 15_000, message: 'five attempts' }).catch((error: Error) => {
      throw new Error(`${error.message}; statuses ${JSON.stringify(client.statuses)} attempts ${JSON.stringify(attempts)} t=${Date.now()}`);
    });
    const gaps = attempts.slice(1).map((at, i) => at - attempts[i]!);
    // y-websocket alone would wait 400, 800, 1600, 3200 ms; ours: 200, 400, 800, 1600.
    expect(gaps.every((gap, i) => gap >= 200 * 2 ** i - 50 && gap < 200 * 2 ** i + 300), `gaps ${gaps.join(', ')} ms`).toBe(true);
  });
});
