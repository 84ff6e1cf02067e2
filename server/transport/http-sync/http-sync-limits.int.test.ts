/**
 * The HTTP fallback transport's bounds against real servers: a stream resumed from before what
 * its session still keeps is refused and the session ends (a new one gets everything); a sender
 * over the message rate is slowed, not refused; a graceful stop ends sessions with 1012 and keeps
 * their edits.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import * as syncProtocol from 'y-protocols/sync';
import { encodeMessageBatch, StreamRecordReader } from '../../../shared/http-sync-framing.js';
import { CloseCode, MessageType } from '../../../shared/protocol.js';
import { startTestServer, type TestServer } from '../../test-support/test-server.js';
import { connectClient } from '../../test-support/test-client.js';
import { connectHttpClient } from '../../test-support/http-sync-client.js';
import { waitFor } from '../../test-support/wait-for.js';

describe('resuming past the replay window', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer(['--http-replay-bytes', '64']);
  });
  afterAll(() => server.dispose());

  it('a stream reopened after records no longer kept is refused 410 and ends the session; a new session gets everything', async () => {
    const writer = connectClient(server.wsUrl, 'window');
    await writer.synced();
    const open = await fetch(`${server.url}/sync/window/sessions`, { method: 'POST' });
    const { sessionId } = (await open.json()) as { sessionId: string };
    const base = `${server.url}/sync/window/sessions/${sessionId}`;
    // Read the first record (the server's sync step 1), then let the stream go.
    const controller = new AbortController();
    const stream = await fetch(`${base}/stream?after=0`, { signal: controller.signal });
    const reader = new StreamRecordReader();
    const body = stream.body!.getReader();
    let first: number | null = null;
    while (first === null) {
      const { value } = await body.read();
      for (const record of reader.push(value!)) if (record.kind === 'message') first = record.seq;
    }
    controller.abort();
    expect(first).toBe(1);
    // Far more than 64 bytes relayed to the session meanwhile, one edit at a time.
    for (let i = 0; i < 10; i++) {
      writer.doc.getText('t').insert(0, `edit number ${i}; `);
      await waitFor(() => server.server.registry.peekLoaded('window')?.doc.getText('t').length === writer.doc.getText('t').length, { message: `edit ${i} relayed` });
    }
    const resumed = await fetch(`${base}/stream?after=1`);
    expect(resumed.status).toBe(410);
    expect(await resumed.json()).toMatchObject({ error: { code: 'resume-gone' }, closeCode: 1013 });
    const late = connectHttpClient(server.url, 'window');
    try {
      await late.synced();
      expect(late.doc.getText('t').toString()).toBe(writer.doc.getText('t').toString());
    } finally {
      await late.destroy();
      writer.destroy();
    }
  });
});

describe('input pacing over HTTP', () => {
  const RATE = 50;
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer(['--max-messages-per-second', String(RATE)]);
  });
  afterAll(() => server.dispose());

  it('a sender over the message rate is slowed (its POSTs wait), not refused, and loses nothing', async () => {
    const watcher = connectClient(server.wsUrl, 'paced');
    await watcher.synced();
    const open = await fetch(`${server.url}/sync/paced/sessions`, { method: 'POST' });
    const { sessionId } = (await open.json()) as { sessionId: string };
    const source = new Y.Doc();
    const messages: Uint8Array[] = [];
    source.on('update', (update: Uint8Array) => {
      const encoder = encoding.createEncoder();
      encoding.writeVarUint(encoder, MessageType.sync);
      syncProtocol.writeUpdate(encoder, update);
      messages.push(encoding.toUint8Array(encoder));
    });
    // 250 messages against 50/s with a burst of 100: at least 3 s of pacing.
    for (let i = 0; i < 250; i++) source.getText('t').insert(i, 'p');
    const started = Date.now();
    for (let seq = 1; seq <= 5; seq++) {
      const res = await fetch(`${server.url}/sync/paced/sessions/${sessionId}/messages?seq=${seq}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/octet-stream' },
        body: encodeMessageBatch(messages.slice((seq - 1) * 50, seq * 50)) as BodyInit,
      });
      expect(res.status).toBe(200);
    }
    await waitFor(() => watcher.doc.getText('t').length === 250, { message: 'every message applied' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_500);
    watcher.destroy();
  });
});

describe('shutdown with HTTP sessions open', () => {
  it('a graceful stop keeps an HTTP client’s last edit and tells it 1012 on its stream', async () => {
    const server = await startTestServer();
    const client = connectHttpClient(server.url, 'stopping', { saveAck: true });
    try {
      await client.synced();
      client.doc.getText('t').insert(0, 'last words');
      await waitFor(() => server.server.registry.peekLoaded('stopping')?.doc.getText('t').toString() === 'last words', { message: 'the edit reached the server' });
      await server.restart();
      await waitFor(() => client.closes.includes(CloseCode.serviceRestart), { message: 'told 1012' });
      await client.destroy();
      const fresh = connectClient(server.wsUrl, 'stopping');
      await fresh.synced();
      expect(fresh.doc.getText('t').toString()).toBe('last words');
      fresh.destroy();
    } finally {
      await server.dispose();
    }
  });
});
