/**
 * What a connection may make the server hold before it is authenticated or before its document
 * is loaded is bounded: upgrades waiting on token verification beyond the limit get 503, and a
 * client that pipelines frames with its upgrade request has them left unread in the socket (TCP
 * backpressure) until its document is loaded, then applied in full; the in-memory early queue
 * (--max-early-messages) is a backstop that this leaves empty. Other documents keep working.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { generateKeyPairSync } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { exportJWK, SignJWT } from 'jose';
import { CloseCode } from '../../shared/protocol.js';
import type { DocumentStore } from '../persistence/document-store.js';
import { startTestServer, type TestServer } from '../test-support/test-server.js';
import { waitFor } from '../test-support/wait-for.js';
import { connectClient } from '../test-support/test-client.js';
import { expectCanaryWorks, insertUpdate, rawSocket, SECRET, syncUpdateFrame, token, upgradeStatus, type RawSocket } from '../test-support/auth-fixtures.js';

/** A client frame: FIN + binary, masked with a zero key (the XOR leaves the payload as is). */
function maskedFrame(payload: Uint8Array): Buffer {
  if (payload.length >= 126) throw new Error('short frames only');
  return Buffer.concat([Buffer.from([0x82, 0x80 | payload.length, 0, 0, 0, 0]), Buffer.from(payload)]);
}

describe('pre-auth and pre-load queues', () => {
  let server: TestServer | null = null;
  let jwks: Server | null = null;
  const raws: RawSocket[] = [];

  afterEach(async () => {
    for (const r of raws.splice(0)) r.ws.terminate();
    await server?.dispose();
    server = null;
    if (jwks) await new Promise((resolve) => jwks!.close(resolve));
    jwks = null;
  });

  it('refuses upgrades beyond --max-pending-upgrades with 503 while tokens wait for the key set', async () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = { ...(await exportJWK(ec.publicKey)), kid: 'k1', alg: 'ES256' };
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let requests = 0;
    jwks = createServer((_req, res) => {
      requests++;
      void released.then(() => res.end(JSON.stringify({ keys: [jwk] })));
    });
    await new Promise<void>((resolve) => jwks!.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json`;
    server = await startTestServer(['--auth-jwks-url', url, '--max-pending-upgrades', '3']);
    const sign = (doc: string): Promise<string> =>
      new SignJWT({ docs: [`${doc}:write`] }).setProtectedHeader({ alg: 'ES256', kid: 'k1' }).setSubject('a').setIssuedAt().setExpirationTime('1h').sign(ec.privateKey);
    const waiting = await Promise.all(['a', 'b', 'c'].map(async (doc) => rawSocket(server!.wsUrl, `/${doc}?token=${await sign(doc)}`)));
    raws.push(...waiting);
    await waitFor(() => server!.server.gateway.pendingUpgradeCount === 3 && requests > 0, { message: 'three upgrades pending' });
    const refused = await upgradeStatus(server.wsUrl, `/d?token=${await sign('d')}`);
    expect(refused).toMatchObject({ status: 503, body: { error: { code: 'too-many-pending' } } });
    release();
    await Promise.all(waiting.map((w) => w.opened));
    await expectCanaryWorks(server, { token: await sign('canary') });
  });

  it('leaves frames pipelined with the upgrade unread until the document loads, then applies them all', async () => {
    let openGate!: () => void;
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    let loadsStarted = 0;
    const slowLoads = (inner: DocumentStore): DocumentStore => ({
      load: async (name) => {
        if (name === 'slow') {
          loadsStarted++;
          await gate;
        }
        return inner.load(name);
      },
      appendUpdates: (...args) => inner.appendUpdates(...args),
      compact: (...args) => inner.compact(...args),
      delete: (name) => inner.delete(name),
      list: () => inner.list(),
      addVersion: (...args) => inner.addVersion(...args),
      listVersions: (name) => inner.listVersions(name),
      loadVersion: (...args) => inner.loadVersion(...args),
      deleteVersions: (...args) => inner.deleteVersions(...args),
      ping: () => inner.ping(),
      close: () => inner.close(),
    });
    server = await startTestServer(['--max-early-messages', '5'], { TANDEM_AUTH_SECRET: SECRET }, { wrapStore: slowLoads });
    try {
      const t = await token({ docs: ['*:write'] });
      const { port } = new URL(server.url);
      const socket = connect(Number(port), '127.0.0.1');
      const received: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => received.push(chunk));
      socket.on('error', () => undefined);
      const frames = Array.from({ length: 20 }, (_, i) => maskedFrame(syncUpdateFrame(insertUpdate(`e${i}`))));
      // One write: the request and the frames reach the server together.
      socket.write(
        Buffer.concat([
          Buffer.from(
            `GET /slow?token=${t} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
              'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
          ),
          ...frames,
        ]),
      );
      await waitFor(() => loadsStarted === 1 && Buffer.concat(received).toString('latin1').startsWith('HTTP/1.1 101'), {
        message: 'upgraded, document loading',
      });
      openGate();
      const reader = connectClient(server.wsUrl, 'slow', { params: { token: t } });
      try {
        await reader.synced();
        await waitFor(() => reader.doc.getText('t').length === frames.length * 2 + 10, { message: 'every pipelined update applied' });
      } finally {
        reader.destroy();
      }
      expect(server.logs.filter((l) => l.doc === 'slow' && l.code === CloseCode.tryAgainLater)).toEqual([]);
      socket.destroy();
      await expectCanaryWorks(server, { token: t });
    } finally {
      openGate();
    }
  });
});
