/**
 * The HTTP fallback transport against a real server: an HttpSyncProvider (fetch, streamed
 * response, POSTs) and stock y-websocket WebsocketProviders edit one document and converge, with
 * presence both ways; a stream cut mid-edit resumes with nothing lost or repeated; a POST sent
 * twice with one sequence number is applied once; saved acks arrive once the edit is durable.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import * as syncProtocol from 'y-protocols/sync';
import { encodeMessageBatch, StreamRecordReader } from '../../../shared/http-sync-framing.js';
import { MessageType, OWN_PRESENCE_PARAM } from '../../../shared/protocol.js';
import { startTestServer, type TestServer } from '../../test-support/test-server.js';
import { connectClient, type TestClient } from '../../test-support/test-client.js';
import { connectHttpClient, type HttpTestClient } from '../../test-support/http-sync-client.js';
import { parseSamples, sampleValue } from '../../test-support/metrics-text.js';
import { waitFor } from '../../test-support/wait-for.js';

describe('the HTTP fallback transport', () => {
  let server: TestServer;
  const wsClients: TestClient[] = [];
  const httpClients: HttpTestClient[] = [];

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterEach(async () => {
    for (const c of wsClients.splice(0)) c.destroy();
    await Promise.all(httpClients.splice(0).map((c) => c.destroy()));
  });
  afterAll(() => server.dispose());

  const ws = (doc: string, options: Parameters<typeof connectClient>[2] = {}): TestClient => {
    const client = connectClient(server.wsUrl, doc, options);
    wsClients.push(client);
    return client;
  };
  const http = (doc: string, options: Parameters<typeof connectHttpClient>[2] = {}): HttpTestClient => {
    const client = connectHttpClient(server.url, doc, options);
    httpClients.push(client);
    return client;
  };
  const received = async (type: string): Promise<number> =>
    sampleValue(parseSamples(await server.server.metrics.render()), 'tandem_messages_received_total', { type });

  it('an HTTP client and a WebSocket client edit one document and converge, presence included, both ways', async () => {
    const a = http('converge');
    const b = ws('converge');
    await Promise.all([a.synced(), b.synced()]);
    a.doc.getText('t').insert(0, 'from http. ');
    b.doc.getText('t').insert(0, 'from ws. ');
    await waitFor(() => a.doc.getText('t').toString() === b.doc.getText('t').toString() && a.doc.getText('t').length === 20, {
      message: 'both texts equal and complete',
    });
    expect(a.doc.getText('t').toString()).toMatch(/from http\. |from ws\. /);
    a.provider.awareness.setLocalStateField('user', { name: 'Hattie' });
    b.provider.awareness.setLocalStateField('user', { name: 'Wes' });
    await waitFor(() => (b.provider.awareness.getStates().get(a.doc.clientID) as { user?: { name: string } } | undefined)?.user?.name === 'Hattie', {
      message: "the WebSocket client sees the HTTP client's presence",
    });
    await waitFor(() => (a.provider.awareness.getStates().get(b.doc.clientID) as { user?: { name: string } } | undefined)?.user?.name === 'Wes', {
      message: "the HTTP client sees the WebSocket client's presence",
    });
  });

  it('an HttpSyncProvider opens its session with ownPresence=1 (it never sends others\' presence back), and presence still flows both ways', async () => {
    const urls: string[] = [];
    const recordingFetch: typeof fetch = (input, init) => {
      urls.push(input instanceof Request ? input.url : String(input));
      return fetch(input, init);
    };
    const a = http('own-presence', { fetch: recordingFetch });
    const b = ws('own-presence');
    await Promise.all([a.synced(), b.synced()]);
    const opened = urls.map((url) => new URL(url)).find((url) => url.pathname.endsWith('/sessions'));
    expect(opened?.searchParams.get(OWN_PRESENCE_PARAM)).toBe('1');
    a.provider.awareness.setLocalStateField('cursor', 'a');
    b.provider.awareness.setLocalStateField('cursor', 'b');
    const cursor = (states: Map<number, Record<string, unknown>>, id: number): unknown => states.get(id)?.cursor;
    await waitFor(() => cursor(b.provider.awareness.getStates(), a.doc.clientID) === 'a' && cursor(a.provider.awareness.getStates(), b.doc.clientID) === 'b', {
      message: 'presence both ways',
    });
  });

  it('a stream cut mid-edit resumes where it stopped: exact text, every record read once, every update applied once', async () => {
    const reader = http('resume', { saveAck: true });
    const writer = ws('resume', { saveAck: true });
    await Promise.all([reader.synced(), writer.synced()]);
    // Acknowledged: the server has received every update-bearing message of the handshakes.
    await waitFor(() => reader.provider.savedCount === reader.provider.sentUpdateMessages && writer.savedCount === writer.sentUpdateMessages, {
      message: 'handshakes acknowledged',
    });
    const updatesBefore = (await received('sync-update')) + (await received('sync-step2'));
    const sentBefore = writer.sentUpdateMessages + reader.provider.sentUpdateMessages;
    const text = writer.doc.getText('t');
    let expected = '';
    for (let i = 0; i < 60; i++) {
      const piece = `w${i};`;
      text.insert(text.length, piece);
      expected += piece;
      if (i % 7 === 3) reader.doc.getText('t').insert(0, `h${i};`);
      if (i % 15 === 5) reader.provider.transport!.dropStream();
      if (i % 10 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    const httpEdits = [3, 10, 17, 24, 31, 38, 45, 52, 59].map((i) => `h${i}`);
    const pieces = (doc: Y.Doc): string[] => doc.getText('t').toString().split(';').filter((p) => p !== '').sort();
    const wanted = [...expected.split(';').filter((p) => p !== ''), ...httpEdits].sort();
    await waitFor(() => JSON.stringify(pieces(reader.doc)) === JSON.stringify(wanted) && JSON.stringify(pieces(writer.doc)) === JSON.stringify(wanted), {
      message: 'both have every edit, once',
    });
    expect(reader.doc.getText('t').toString()).toBe(writer.doc.getText('t').toString());
    // The writer's run of edits arrived in order, whatever the stream cuts.
    expect(writer.doc.getText('t').toString().replace(/h\d+;/g, '')).toBe(expected);
    // One session throughout (a new one would have started over), every record read once.
    expect(reader.closes).toEqual([]);
    const transport = reader.provider.transport!;
    expect(transport.delivered).toBe(transport.lastRead);
    const updatesAfter = (await received('sync-update')) + (await received('sync-step2'));
    const sentAfter = writer.sentUpdateMessages + reader.provider.sentUpdateMessages;
    expect(updatesAfter - updatesBefore).toBe(sentAfter - sentBefore);
    // What the server holds: a fresh client gets exactly the same text.
    const fresh = ws('resume');
    await fresh.synced();
    expect(fresh.doc.getText('t').toString()).toBe(writer.doc.getText('t').toString());
  });

  it('a stream reopened after record n starts at record n + 1', async () => {
    const writer = ws('numbers');
    await writer.synced();
    const res = await fetch(`${server.url}/sync/numbers/sessions`, { method: 'POST' });
    expect(res.status).toBe(201);
    const { sessionId } = (await res.json()) as { sessionId: string };
    const readSeqs = async (after: number, count: number): Promise<number[]> => {
      const controller = new AbortController();
      const deadline = setTimeout(() => controller.abort(), 5_000);
      const stream = await fetch(`${server.url}/sync/numbers/sessions/${sessionId}/stream?after=${after}`, { signal: controller.signal });
      const body = stream.body!.getReader();
      const reader = new StreamRecordReader();
      const seqs: number[] = [];
      try {
        while (seqs.length < count) {
          const { value, done } = await body.read();
          if (done) break;
          for (const record of reader.push(value)) if (record.kind === 'message') seqs.push(record.seq);
        }
      } catch {
        // Aborted at the deadline: fewer records than asked for.
      }
      clearTimeout(deadline);
      controller.abort();
      return seqs;
    };
    // The server's sync step 1 comes first; then three edits, each relayed on its own.
    expect(await readSeqs(0, 1)).toEqual([1]);
    for (let i = 0; i < 3; i++) {
      writer.doc.getText('t').insert(0, String(i));
      await waitFor(() => server.server.registry.peekLoaded('numbers')?.doc.getText('t').length === i + 1, { message: `edit ${i} on the server` });
    }
    expect(await readSeqs(0, 4)).toEqual([1, 2, 3, 4]);
    expect(await readSeqs(2, 2)).toEqual([3, 4]);
  });

  it('opening a second stream ends the first (one stream per session), and the second carries on', async () => {
    const writer = ws('twostreams');
    await writer.synced();
    const open = await fetch(`${server.url}/sync/twostreams/sessions`, { method: 'POST' });
    const { sessionId } = (await open.json()) as { sessionId: string };
    const url = `${server.url}/sync/twostreams/sessions/${sessionId}/stream?after=0`;
    const first = (await fetch(url)).body!.getReader();
    await first.read();
    const second = (await fetch(url)).body!.getReader();
    // The first one ends: read to its end (no close record: the session goes on).
    const records = new StreamRecordReader();
    const kinds: string[] = [];
    for (;;) {
      const { value, done } = await first.read();
      if (done) break;
      kinds.push(...records.push(value).map((r) => r.kind));
    }
    expect(kinds).not.toContain('close');
    writer.doc.getText('t').insert(0, 'on the second');
    const reader = new StreamRecordReader();
    const seen: number[] = [];
    while (!seen.includes(2)) {
      const { value } = await second.read();
      for (const record of reader.push(value!)) if (record.kind === 'message') seen.push(record.seq);
    }
    expect(seen).toEqual([1, 2]);
    await second.cancel();
  });

  it('without auth, refuses to open a session for a page of another origin (403), as it refuses its WebSocket', async () => {
    const res = await fetch(`${server.url}/sync/origin/sessions`, { method: 'POST', headers: { origin: 'https://evil.example' } });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: { code: 'origin-not-allowed' } });
    const same = await fetch(`${server.url}/sync/origin/sessions`, { method: 'POST', headers: { origin: server.url } });
    expect(same.status).toBe(201);
  });

  it('a POST sent twice with the same sequence number is applied once, whether the number is a header or a query parameter', async () => {
    const watcher = ws('retry');
    await watcher.synced();
    const open = await fetch(`${server.url}/sync/retry/sessions`, { method: 'POST' });
    const { sessionId } = (await open.json()) as { sessionId: string };
    const source = new Y.Doc();
    source.getText('t').insert(0, 'once');
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MessageType.sync);
    syncProtocol.writeUpdate(encoder, Y.encodeStateAsUpdate(source));
    const body = encodeMessageBatch([encoding.toUint8Array(encoder)]);
    const before = await received('sync-update');
    const first = await fetch(`${server.url}/sync/retry/sessions/${sessionId}/messages`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/octet-stream', 'Tandem-Seq': '1' },
      body: body as BodyInit,
    });
    const second = await fetch(`${server.url}/sync/retry/sessions/${sessionId}/messages?seq=1`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/octet-stream' },
      body: body as BodyInit,
    });
    expect(await first.json()).toEqual({ seq: 1, duplicate: false });
    expect(await second.json()).toEqual({ seq: 1, duplicate: true });
    await waitFor(() => watcher.doc.getText('t').toString() === 'once', { message: 'the edit reached the WebSocket client' });
    expect((await received('sync-update')) - before).toBe(1);
    const skipped = await fetch(`${server.url}/sync/retry/sessions/${sessionId}/messages`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/octet-stream', 'Tandem-Seq': '3' },
      body: body as BodyInit,
    });
    expect(skipped.status).toBe(409);
  });

  it('edits made while a POST is in flight go together in the next one', async () => {
    const watcher = ws('batch');
    const a = http('batch');
    await Promise.all([a.synced(), watcher.synced()]);
    const transport = a.provider.transport!;
    const before = transport.requests;
    // Fifty transactions, fifty update messages, sent in one turn.
    for (let i = 0; i < 50; i++) a.doc.getText('t').insert(i, 'x');
    await waitFor(() => watcher.doc.getText('t').length === 50, { message: 'all fifty arrived' });
    expect(transport.requests - before).toBeLessThanOrEqual(2);
  });

});

describe('saved acknowledgements over HTTP', () => {
  let server: TestServer;
  let gate: { wait: Promise<void>; release: () => void } | null = null;
  let appends = 0;

  beforeAll(async () => {
    server = await startTestServer([], {}, {
      // While a gate is set, every store write waits at it: an ack must wait for the write.
      wrapStore: (inner) =>
        new Proxy(inner, {
          get(target, property) {
            if (property === 'appendUpdates') {
              return async (...args: Parameters<typeof inner.appendUpdates>) => {
                appends++;
                if (gate) await gate.wait;
                return target.appendUpdates(...args);
              };
            }
            const value: unknown = Reflect.get(target, property, target);
            return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
          },
        }),
    });
  });
  afterAll(() => server.dispose());

  it('reach an HTTP client only once its edits are in the store', async () => {
    const a = connectHttpClient(server.url, 'acks', { saveAck: true });
    try {
      await a.synced();
      await waitFor(() => a.provider.savedCount >= a.provider.sentUpdateMessages, { message: 'handshake acked' });
      const ackedBefore = a.provider.savedCount;
      let release = (): void => undefined;
      gate = { wait: new Promise<void>((resolve) => (release = resolve)), release: () => release() };
      const appendsBefore = appends;
      a.doc.getText('t').insert(0, 'keep me');
      await waitFor(() => appends > appendsBefore, { message: 'the write reached the store' });
      // A round trip on the same session: anything sent before its answer has arrived by then.
      const transport = a.provider.transport!;
      const delivered = transport.delivered;
      transport.send(Uint8Array.of(MessageType.queryAwareness));
      await waitFor(() => transport.delivered > delivered, { message: 'the query answered' });
      expect(a.provider.savedCount).toBe(ackedBefore);
      gate.release();
      gate = null;
      await waitFor(() => a.provider.savedCount === a.provider.sentUpdateMessages && a.provider.savedCount > ackedBefore, { message: 'acked after the write' });
    } finally {
      gate?.release();
      gate = null;
      await a.destroy();
    }
  });
});
