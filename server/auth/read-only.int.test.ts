/**
 * Read-only connections get the document, live edits and awareness, and may send their own
 * awareness; document changes they send are refused on the decoded message type (an overlong
 * varint type is the same type) and repeated attempts close them with 1008. Nothing they send
 * reaches the document, and writers on it and on other documents are unaffected.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { CloseCode } from '../../shared/protocol.js';
import type { TestServer } from '../test-support/test-server.js';
import { connectClient, type TestClient } from '../test-support/test-client.js';
import { waitFor } from '../test-support/wait-for.js';
import { expectCanaryWorks, insertUpdate, rawSocket, startAuthServer, syncUpdateFrame, token } from '../test-support/auth-fixtures.js';

const MAX_REFUSED = 3;

describe('read-only connections', () => {
  let server: TestServer;
  const clients: TestClient[] = [];
  let readToken: string;
  let writeToken: string;
  let canaryToken: string;

  beforeAll(async () => {
    server = await startAuthServer(['--max-refused-writes', String(MAX_REFUSED)]);
    readToken = await token({ sub: 'rita', docs: ['report:read'] });
    writeToken = await token({ sub: 'will', docs: ['report:write'] });
    canaryToken = await token({ sub: 'carol', docs: ['canary:write'] });
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) c.destroy();
    await expectCanaryWorks(server, { token: canaryToken });
  });
  afterAll(() => server.dispose());

  const open = (tokenValue: string, doc?: Y.Doc): TestClient => {
    const client = connectClient(server.wsUrl, 'report', { params: { token: tokenValue }, ...(doc ? { doc } : {}) });
    clients.push(client);
    return client;
  };

  /** What a brand-new client receives from the server: the server's copy of the document. */
  const serverText = async (): Promise<string> => {
    const fresh = open(writeToken);
    await fresh.synced();
    return fresh.doc.getText('t').toString();
  };

  it('receives the document and live edits, shares its awareness, and its own edits go nowhere', async () => {
    const writer = open(writeToken);
    await writer.synced();
    writer.doc.getText('t').insert(0, 'draft one');
    const reader = open(readToken);
    const closes: number[] = [];
    reader.provider.on('connection-close', (event: CloseEvent | null) => closes.push(event?.code ?? 0));
    await reader.synced();
    await waitFor(() => reader.doc.getText('t').toString() === 'draft one', { message: 'reader got the document' });
    writer.doc.getText('t').insert(9, ', live');
    await waitFor(() => reader.doc.getText('t').toString() === 'draft one, live', { message: 'reader got a live edit' });

    reader.provider.awareness.setLocalStateField('user', { name: 'Rita' });
    await waitFor(() => [...writer.provider.awareness.getStates().values()].some((s) => (s as { user?: { name: string } }).user?.name === 'Rita'), {
      message: 'writer sees the reader in awareness',
    });

    // A tampered client edits anyway: refused, never relayed or stored.
    reader.doc.getText('t').insert(0, 'EVIL ');
    writer.doc.getText('t').insert(writer.doc.getText('t').length, '.');
    await waitFor(() => reader.doc.getText('t').toString().endsWith('live.'), { message: 'reader still gets edits' });
    expect(writer.doc.getText('t').toString()).toBe('draft one, live.');
    expect(await serverText()).toBe('draft one, live.');
    expect(closes).toEqual([]);
    expect(server.logs.some((l) => l.doc === 'report' && l.code === CloseCode.policyViolation)).toBe(false);
  });

  it('tolerates the handshake answer of a reader that has its own copy', async () => {
    const cached = new Y.Doc();
    cached.getText('t').insert(0, 'stale offline copy');
    const reader = open(readToken, cached);
    await reader.synced();
    await waitFor(() => reader.doc.getText('t').toString().includes('draft one, live.'), { message: 'reader merged the server copy' });
    expect(reader.provider.wsconnected).toBe(true);
    expect(await serverText()).toBe('draft one, live.');
  });

  it(`closes a reader with 1008 after ${MAX_REFUSED} refused changes`, async () => {
    const reader = open(readToken);
    const closes: number[] = [];
    reader.provider.on('connection-close', (event: CloseEvent | null) => closes.push(event?.code ?? 0));
    await reader.synced();
    for (let i = 0; i <= MAX_REFUSED; i++) reader.doc.getText('t').insert(0, `x${i}`);
    await waitFor(() => closes.includes(CloseCode.policyViolation), { message: 'reader closed with 1008' });
    reader.provider.disconnect();
    expect(await serverText()).toBe('draft one, live.');
  });

  for (const [label, typeBytes] of [
    ['plain', [0x00]],
    ['overlong-encoded (80 00)', [0x80, 0x00]],
    ['overlong-encoded (80 80 80 00)', [0x80, 0x80, 0x80, 0x00]],
  ] as const) {
    it(`refuses ${label} update frames from a raw read-only socket and closes it with 1008`, async () => {
      const raw = rawSocket(server.wsUrl, `/report?token=${readToken}`);
      await raw.opened;
      const frame = syncUpdateFrame(insertUpdate('INJECTED '), [...typeBytes]);
      for (let i = 0; i <= MAX_REFUSED; i++) raw.ws.send(frame);
      expect(await raw.closed).toBe(CloseCode.policyViolation);
      expect(await serverText()).toBe('draft one, live.');
      expect(server.logs.filter((l) => l.code === CloseCode.policyViolation && l.msg.includes('read-only')).length).toBeGreaterThan(0);
    });
  }

  it('applies the same overlong frame from a writer (the type is decoded, not matched)', async () => {
    const raw = rawSocket(server.wsUrl, `/report?token=${writeToken}`);
    await raw.opened;
    raw.ws.send(syncUpdateFrame(insertUpdate('ok '), [0x80, 0x00]));
    await waitFor(async () => (await serverText()).includes('ok '), { message: 'writer update applied' });
    raw.ws.close();
  });
});
