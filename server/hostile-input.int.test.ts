import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';
import { startTestServer, type TestServer } from './test-support/test-server.js';
import { connectClient, type TestClient } from './test-support/test-client.js';
import { waitFor } from './test-support/wait-for.js';

/** A raw socket that sends hand-built bytes; resolves with the close code the server chose. */
function rawSocket(wsUrl: string, doc: string): { ws: WebSocket; opened: Promise<void>; closed: Promise<number> } {
  const ws = new WebSocket(`${wsUrl}/${doc}`);
  ws.on('error', () => undefined);
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  return { ws, opened, closed };
}

function upgradeStatus(wsUrl: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${wsUrl}${path}`);
    ws.on('error', () => undefined);
    ws.once('open', () => reject(new Error(`upgrade to ${path} was accepted`)));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
  });
}

function syncUpdateFrame(update: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, 0);
  encoding.writeVarUint(encoder, 2);
  encoding.writeVarUint8Array(encoder, update);
  return encoding.toUint8Array(encoder);
}

describe('hostile input', () => {
  let server: TestServer;
  const clients: TestClient[] = [];
  let canary: TestClient;
  let canaryPeer: TestClient;

  beforeEach(async () => {
    server = await startTestServer(['--max-message-bytes', String(64 * 1024)]);
    canary = connectClient(server.wsUrl, 'canary');
    canaryPeer = connectClient(server.wsUrl, 'canary');
    clients.push(canary, canaryPeer);
    await Promise.all([canary.synced(), canaryPeer.synced()]);
    canary.doc.getText('t').insert(0, 'alive');
    await waitFor(() => canaryPeer.doc.getText('t').toString() === 'alive', { message: 'canary relays' });
  });

  afterEach(async () => {
    for (const c of clients.splice(0)) c.destroy();
    await server.dispose();
  });

  async function expectCanaryWorks(): Promise<void> {
    const mark = `+${Math.random().toString(36).slice(2, 8)}`;
    canary.doc.getText('t').insert(canary.doc.getText('t').length, mark);
    await waitFor(() => canaryPeer.doc.getText('t').toString().endsWith(mark), { message: 'canary still relays' });
  }

  const truncatedUpdate = (): Uint8Array => {
    const doc = new Y.Doc();
    doc.getText('t').insert(0, 'garbage that should never be stored');
    const update = Y.encodeStateAsUpdate(doc);
    return update.subarray(0, update.length - 5);
  };

  const cases: [string, () => Uint8Array | string, number][] = [
    ['an empty frame', () => new Uint8Array(0), 1007],
    ['an unknown message type', () => Uint8Array.of(42, 1, 2), 1003],
    ['an unknown sync type', () => Uint8Array.of(0, 9, 0), 1003],
    ['a zero-length update', () => syncUpdateFrame(new Uint8Array(0)), 1007],
    ['a truncated update', () => syncUpdateFrame(truncatedUpdate()), 1007],
    ['a length beyond the frame', () => Uint8Array.of(0, 2, 0xff, 0xff, 0x03, 1), 1007],
    ['a server-only auth message', () => Uint8Array.of(2, 0), 1002],
    ['a text frame', () => 'hello', 1003],
    ['a frame over the size limit', () => new Uint8Array(100 * 1024), 1009],
  ];

  for (const [what, frame, code] of cases) {
    it(`closes only the sender of ${what} (code ${code}) and logs one line`, async () => {
      const attacker = rawSocket(server.wsUrl, 'target');
      const victim = connectClient(server.wsUrl, 'target');
      clients.push(victim);
      await Promise.all([attacker.opened, victim.synced()]);
      victim.doc.getText('t').insert(0, 'kept');
      attacker.ws.send(frame());
      expect(await attacker.closed).toBe(code);
      await expectCanaryWorks();
      // The victim in the same document is unaffected and the store holds no garbage.
      const fresh = connectClient(server.wsUrl, 'target');
      clients.push(fresh);
      await fresh.synced();
      expect(fresh.doc.getText('t').toString()).toBe('kept');
      if (code !== 1009) {
        const lines = server.logs.filter((l) => l.doc === 'target' && l.code === code);
        expect(lines).toHaveLength(1);
      }
    });
  }

  it('refuses bad document names with HTTP 400 before the upgrade', async () => {
    for (const path of ['/', '/..', '/a%2Fb', '/a/b', `/${'x'.repeat(10_000)}`, '/draft*', '/a%00b']) {
      const { status, body } = await upgradeStatus(server.wsUrl, path);
      expect(status, path.slice(0, 20)).toBe(400);
      expect(JSON.parse(body)).toMatchObject({ error: { code: 'invalid-document-name' } });
    }
    await expectCanaryWorks();
  });

  it('closes a reader that stops reading with 1013 instead of buffering without bound', async () => {
    await server.dispose();
    server = await startTestServer(['--max-buffered-bytes', String(256 * 1024)]);
    const slow = rawSocket(server.wsUrl, 'firehose');
    await slow.opened;
    // Stop reading: the kernel buffers fill and the server's outbound buffer grows.
    (slow.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    const writer = connectClient(server.wsUrl, 'firehose', { saveAck: true });
    clients.push(writer);
    await writer.synced();
    const chunk = 'z'.repeat(16 * 1024);
    for (let i = 0; i < 400; i++) writer.doc.getText('t').insert(0, chunk);
    await waitFor(() => server.logs.some((l) => l.doc === 'firehose' && l.code === 1013), { timeoutMs: 20_000, message: 'slow reader closed' });
    // The writer itself is unharmed: everything it sent is stored.
    await waitFor(() => writer.savedCount >= writer.sentUpdateMessages, { timeoutMs: 20_000, message: 'writer fully acked' });
    const fresh = connectClient(server.wsUrl, 'firehose');
    clients.push(fresh);
    await fresh.synced();
    expect(fresh.doc.getText('t').length).toBe(400 * chunk.length);
  });

  it('refuses connections beyond the per-document limit with 503', async () => {
    await server.dispose();
    server = await startTestServer(['--max-connections-per-doc', '3']);
    const members = [0, 1, 2].map(() => connectClient(server.wsUrl, 'small-room'));
    clients.push(...members);
    await Promise.all(members.map((m) => m.synced()));
    const { status, body } = await upgradeStatus(server.wsUrl, '/small-room');
    expect(status).toBe(503);
    expect(JSON.parse(body)).toMatchObject({ error: { code: 'document-full' } });
    const elsewhere = connectClient(server.wsUrl, 'other-room');
    clients.push(elsewhere);
    await elsewhere.synced();
  });

  it('drops a connection that stops answering pings', async () => {
    await server.dispose();
    server = await startTestServer(['--ping-interval-ms', '100']);
    const silent = rawSocket(server.wsUrl, 'quiet');
    await silent.opened;
    // Freeze the socket entirely: no pongs, no reads.
    (silent.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    (silent.ws as unknown as { pong: () => void }).pong = () => undefined;
    await waitFor(() => server.logs.some((l) => l.msg.includes('no pong')), { message: 'dead connection dropped' });
    await waitFor(() => server.server.gateway.connectionCount === 0, { message: 'connection gone' });
  });

  it('keeps an idle connection that answers pings (liveness is read from the bytes its socket reads)', async () => {
    await server.dispose();
    server = await startTestServer(['--ping-interval-ms', '100']);
    const idle = rawSocket(server.wsUrl, 'idle');
    await idle.opened;
    let pings = 0;
    idle.ws.on('ping', () => pings++);
    // Each sweep after the first judges the pong to the one before.
    await waitFor(() => pings >= 6, { message: 'six keepalive sweeps' });
    expect(server.logs.some((l) => l.msg.includes('no pong'))).toBe(false);
    expect(server.server.gateway.connectionCount).toBe(1);
    idle.ws.close();
  });
});
