/**
 * The transport selector's policy with a real server and y-websocket's provider: WebSocket
 * upgrades that fail for real (a TCP listener that drops every connection, what a proxy that
 * blocks WebSockets does) make 'auto' fall back to HTTP after two failures in a row, and the
 * client edits with a stock WebSocket client; a probe that gets through moves it back to
 * WebSocket; failures while offline do not count; HTTP failing too (the server is away) goes
 * back to WebSocket; 'websocket' and 'http' never switch.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import WebSocket from 'ws';
import { startTestServer, type TestServer } from '../../server/test-support/test-server.js';
import { connectClient, type TestClient } from '../../server/test-support/test-client.js';
import { waitFor } from '../../server/test-support/wait-for.js';
import { jitterReconnects } from '../liveness/reconnect-backoff.js';
import { HttpWebSocket } from './http-web-socket.js';
import { createTransportSelector, type SelectorTimings, type TransportMode, type TransportSelector } from './transport-selector.js';

/** A port that accepts TCP connections and drops them at once: every upgrade there fails. */
async function startDropper(): Promise<{ port: number; close(): Promise<void> }> {
  const server = net.createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('the transport selector', () => {
  let server: TestServer;
  let dropper: { port: number; close(): Promise<void> };
  const cleanups: Array<() => void> = [];

  beforeAll(async () => {
    server = await startTestServer();
    dropper = await startDropper();
  });
  afterEach(() => {
    for (const cleanup of cleanups.splice(0)) cleanup();
  });
  afterAll(async () => {
    await dropper.close();
    await server.dispose();
  });

  /**
   * A provider on `doc` whose WebSockets go to `block.port` (the dropping port) while `block.on`, to the server
   * otherwise; its HTTP sessions always reach the server. Counts the sockets of each kind made.
   */
  const connect = (
    doc: string,
    mode: TransportMode,
    options: { timings?: Partial<SelectorTimings>; hasNetwork?: () => boolean; serverUrl?: string } = {},
  ) => {
    const block = { on: true, port: dropper.port };
    const made = { websocket: 0, http: 0 };
    const serverPort = new URL(server.wsUrl).port;
    class BlockableWebSocket extends WebSocket {
      constructor(url: string | URL, protocols?: string | string[]) {
        super(block.on ? String(url).replace(`:${serverPort}/`, `:${block.port}/`) : url, protocols);
        made.websocket++;
      }
    }
    class CountedHttpWebSocket extends HttpWebSocket {
      constructor(url: string | URL, protocols?: string | string[]) {
        super(url, protocols);
        made.http++;
      }
    }
    const ydoc = new Y.Doc();
    let provider: WebsocketProvider | null = null;
    const changes: string[] = [];
    const selector: TransportSelector = createTransportSelector({
      mode,
      sockets: { websocket: BlockableWebSocket as unknown as typeof globalThis.WebSocket, http: CountedHttpWebSocket as unknown as typeof globalThis.WebSocket },
      url: () => provider!.url,
      reconnect() {
        provider!.disconnect();
        provider!.connect();
      },
      onChange: (transport) => changes.push(transport),
      timings: { firstProbeMs: 200, probeIntervalMs: 400, probeTimeoutMs: 2_000, ...options.timings },
      ...(options.hasNetwork ? { hasNetwork: options.hasNetwork } : {}),
    });
    provider = new WebsocketProvider(options.serverUrl ?? server.wsUrl, doc, ydoc, {
      WebSocketPolyfill: selector.WebSocketPolyfill,
      disableBc: true,
      maxBackoffTime: 100,
    });
    const p = provider;
    cleanups.push(() => {
      selector.destroy();
      p.destroy();
    });
    return { doc: ydoc, provider: p, selector, block, made, changes };
  };
  const stock = (doc: string): TestClient => {
    const client = connectClient(server.wsUrl, doc);
    cleanups.push(() => client.destroy());
    return client;
  };

  it("'auto' falls back to HTTP after two failed WebSocket upgrades in a row, and edits converge with a WebSocket client", async () => {
    const a = connect('selector-fallback', 'auto', { timings: { firstProbeMs: 60_000 } });
    const b = stock('selector-fallback');
    await waitFor(() => a.provider.synced && a.provider.ws instanceof HttpWebSocket, { message: 'synced over HTTP' });
    expect(a.made.websocket).toBe(2);
    expect(a.selector.transport).toBe('http');
    expect(a.changes).toEqual(['http']);
    a.doc.getText('t').insert(0, 'over http. ');
    b.doc.getText('t').insert(0, 'over ws. ');
    await waitFor(() => a.doc.getText('t').length === 20 && a.doc.getText('t').toString() === b.doc.getText('t').toString(), { message: 'converged' });
  });

  it('a probe that gets through moves an HTTP connection back to WebSocket, with nothing lost', async () => {
    const a = connect('selector-probe', 'auto');
    const b = stock('selector-probe');
    await waitFor(() => a.provider.synced && a.provider.ws instanceof HttpWebSocket, { message: 'synced over HTTP' });
    a.doc.getText('t').insert(0, 'before. ');
    const probesWhileBlocked = a.made.websocket;
    // Blocked probes fail and are retried (every ~400 ms here) without moving anything.
    await waitFor(() => a.made.websocket >= probesWhileBlocked + 2, { message: 'two failed probes' });
    expect(a.provider.ws).toBeInstanceOf(HttpWebSocket);
    a.block.on = false;
    await waitFor(() => a.provider.synced && a.provider.ws instanceof WebSocket, { message: 'back on a WebSocket and synced' });
    expect(a.selector.transport).toBe('websocket');
    expect(a.changes).toEqual(['http', 'websocket']);
    a.doc.getText('t').insert(a.doc.getText('t').length, 'after.');
    await waitFor(() => b.doc.getText('t').toString() === 'before. after.', { message: 'both edits at the stock client' });
  });

  it("'auto' counts a WebSocket still connecting after the connect timeout as a failure (an upgrade nobody answers)", async () => {
    // TCP connections that are accepted and never answered: the upgrade hangs.
    const silent = net.createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const silentPort = (silent.address() as AddressInfo).port;
    cleanups.push(() => void silent.close());
    const a = connect('selector-hanging', 'auto', { timings: { connectTimeoutMs: 300, firstProbeMs: 60_000 } });
    a.block.port = silentPort;
    await waitFor(() => a.provider.synced && a.provider.ws instanceof HttpWebSocket, { message: 'synced over HTTP' });
    expect(a.made.websocket).toBe(2);
  });

  it('failures forgiven after each one (as the editor does when a new token comes into use) never add up to a fallback', async () => {
    const a = connect('selector-forgiven', 'auto');
    // y-websocket reports the close after the selector counted it.
    a.provider.on('connection-close', () => a.selector.forgiveFailures());
    await waitFor(() => a.made.websocket >= 5, { message: 'five failed attempts' });
    expect(a.made.http).toBe(0);
    expect(a.selector.transport).toBe('websocket');
  });

  it("'websocket' never falls back, however many upgrades fail", async () => {
    const a = connect('selector-forced-ws', 'websocket');
    await waitFor(() => a.made.websocket >= 5, { message: 'five failed attempts' });
    expect(a.made.http).toBe(0);
    expect(a.selector.transport).toBe('websocket');
    a.block.on = false;
    await waitFor(() => a.provider.synced, { message: 'synced once WebSockets get through' });
  });

  it("'http' connects over HTTP on every attempt and never probes", async () => {
    // Probes would start 1 ms after each HTTP connection opens, long before an edit's round trip.
    const a = connect('selector-forced-http', 'http', { timings: { firstProbeMs: 1, probeIntervalMs: 1 } });
    const b = stock('selector-forced-http');
    for (const text of ['one ', 'two ', 'three']) {
      await waitFor(() => a.provider.synced, { message: 'synced' });
      expect(a.provider.ws).toBeInstanceOf(HttpWebSocket);
      a.doc.getText('t').insert(a.doc.getText('t').length, text);
      await waitFor(() => b.doc.getText('t').toString() === a.doc.getText('t').toString(), { message: `"${text}" at the stock client` });
      a.provider.disconnect();
      a.provider.connect();
    }
    expect(a.made.http).toBe(4);
    expect(a.made.websocket).toBe(0);
  });

  it('failures while the browser says it is offline do not count', async () => {
    const a = connect('selector-offline', 'auto', { hasNetwork: () => false });
    await waitFor(() => a.made.websocket >= 5, { message: 'five failed attempts' });
    expect(a.made.http).toBe(0);
    expect(a.selector.transport).toBe('websocket');
  });

  it('spaces failed HTTP attempts with the same jittered exponential backoff as WebSocket ones', async () => {
    // A server that is not there: every session open fails. The provider's backoff, jittered by
    // reconnect-backoff.ts with the random draw 0, is half of y-websocket's own wait.
    const a = connect('selector-http-backoff', 'http', { serverUrl: `ws://127.0.0.1:${dropper.port}` });
    a.provider.maxBackoffTime = 10_000;
    const stop = jitterReconnects(a.provider, { random: () => 0 });
    cleanups.push(stop);
    const attempts: number[] = [];
    a.provider.on('status', ({ status }: { status: string }) => {
      if (status === 'connecting') attempts.push(Date.now());
    });
    await waitFor(() => attempts.length >= 5, { timeoutMs: 15_000, message: 'five attempts' });
    const gaps = attempts.slice(1).map((at, i) => at - attempts[i]!);
    // The waits after the 2nd to 5th failures: 200, 400, 800, 1600 ms (y-websocket alone: 400-3200).
    expect(gaps.every((gap, i) => gap >= 200 * 2 ** i - 50 && gap < 200 * 2 ** i + 300), `gaps ${gaps.join(', ')} ms`).toBe(true);
    expect(a.made.websocket).toBe(0);
  });

  it('HTTP failing as well (the server is away) goes back to WebSocket, so both keep being tried', async () => {
    // Everything, HTTP included, goes to the dropping port.
    const a = connect('selector-server-away', 'auto', { serverUrl: `ws://127.0.0.1:${dropper.port}` });
    await waitFor(() => a.changes.length >= 3, { message: 'http, websocket, http' });
    expect(a.changes.slice(0, 3)).toEqual(['http', 'websocket', 'http']);
    expect(a.made.http).toBeGreaterThanOrEqual(2);
  });
});
