/**
 * Clients that stop reading cannot make the process hold unsent bytes without bound, and a
 * connection closed for it goes away in seconds.
 *
 * Regression: each connection was judged alone (--max-buffered-bytes, 64 MiB by default), so ten
 * readers that never read held 578 MB between them and slowed other documents by seconds; and a
 * reader closed with 1013 kept its socket and everything queued on it for ws's 30 s close
 * timeout, because the close frame waits behind the bytes it does not read and its answer never
 * comes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Socket } from 'node:net';
import { CloseCode } from '../../shared/protocol.js';
import { startTestServer, type TestServer } from '../test-support/test-server.js';
import { connectClient, type TestClient } from '../test-support/test-client.js';
import { waitFor } from '../test-support/wait-for.js';
import { rawSocket, type RawSocket } from '../test-support/auth-fixtures.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const CHUNK = 'z'.repeat(64 * KiB);
/** Every flood stops here even if what it waits for never happens. */
const FLOOD_CAP_BYTES = 96 * MiB;

/** A reader that never reads: its kernel buffers fill, then the server's queue for it grows. */
async function openSlowReader(server: TestServer, doc: string): Promise<RawSocket> {
  const raw = rawSocket(server.wsUrl, `/${doc}`);
  await raw.opened;
  (raw.ws as unknown as { _socket: Socket })._socket.pause();
  return raw;
}

/**
 * Inserts 64 KiB at a time until `done()` or the cap; `everyChunk` runs after each chunk. The
 * text is cleared every 32 chunks to keep the document small (not after each chunk: the server
 * applies what arrives together as one transaction, and content deleted in the transaction that
 * inserted it is not relayed). Waits while the writer's own socket is backed up, so the flood is
 * paced by the server and the writer holds little.
 */
async function flood(writer: TestClient, done: () => boolean, everyChunk: (chunk: number) => void = () => undefined): Promise<number> {
  const text = writer.doc.getText('t');
  let chunks = 0;
  while (!done() && chunks * CHUNK.length < FLOOD_CAP_BYTES) {
    text.insert(0, CHUNK);
    if (++chunks % 32 === 0) text.delete(0, text.length);
    everyChunk(chunks);
    await waitFor(() => (writer.provider.ws?.bufferedAmount ?? 0) < MiB, { message: 'writer socket drained' });
  }
  return chunks * CHUNK.length;
}

describe('slow readers', () => {
  let server: TestServer | null = null;
  const clients: TestClient[] = [];
  const raws: RawSocket[] = [];
  let sampler: NodeJS.Timeout | null = null;

  afterEach(async () => {
    if (sampler) clearInterval(sampler);
    for (const r of raws.splice(0)) r.ws.terminate();
    for (const c of clients.splice(0)) c.destroy();
    await server?.dispose();
    server = null;
  });

  const client = (doc: string): TestClient & { closes: number[] } => {
    const c = connectClient(server!.wsUrl, doc);
    clients.push(c);
    const closes: number[] = [];
    c.provider.on('connection-close', (event: CloseEvent | null) => closes.push(event?.code ?? 0));
    return Object.assign(c, { closes });
  };

  it('keeps the unsent bytes of all connections under --max-total-buffered-bytes, dropping the readers holding the most, while another document flows', async () => {
    const budget = 4 * MiB;
    server = await startTestServer(['--max-buffered-bytes', String(budget), '--max-total-buffered-bytes', String(budget)]);
    const gateway = server.server.gateway;
    const canaryA = client('other');
    const canaryB = client('other');
    const writer = client('firehose');
    await Promise.all([canaryA.synced(), canaryB.synced(), writer.synced()]);
    for (let i = 0; i < 5; i++) raws.push(await openSlowReader(server, 'firehose'));
    const normal = 3;
    expect(gateway.connectionCount).toBe(normal + raws.length);

    let maxUnsent = 0;
    sampler = setInterval(() => (maxUnsent = Math.max(maxUnsent, gateway.bufferedBytes)), 2);
    // The canary types into another document during the flood; each word's trip is timed.
    const sentAt = new Map<string, number>();
    const latencies: number[] = [];
    canaryB.doc.getText('t').observe(() => {
      const text = canaryB.doc.getText('t').toString();
      for (const [word, at] of sentAt) {
        if (!text.includes(word)) continue;
        latencies.push(Date.now() - at);
        sentAt.delete(word);
      }
    });
    const flooded = await flood(writer, () => gateway.connectionCount === normal, (chunk) => {
      if (chunk % 16 !== 0) return;
      const word = `w${chunk};`;
      sentAt.set(word, Date.now());
      canaryA.doc.getText('t').insert(0, word);
    });
    // 16 KiB per connection of slack: a connection is counted once it is that far behind.
    expect(maxUnsent, `most unsent bytes seen (MiB): ${(maxUnsent / MiB).toFixed(1)}`).toBeLessThanOrEqual(budget + 8 * 16 * KiB);
    await waitFor(() => gateway.connectionCount === normal, { timeoutMs: 5_000, message: `every slow reader gone (flooded ${flooded / MiB} MiB)` });
    await waitFor(() => sentAt.size === 0, { timeoutMs: 10_000, message: 'every canary word relayed' });
    clearInterval(sampler);

    expect(server.logs.filter((l) => l.doc === 'firehose' && l.code === CloseCode.tryAgainLater)).toHaveLength(raws.length);
    // The readers that keep up were never touched: only the ones holding bytes were dropped.
    expect([writer.closes, canaryA.closes, canaryB.closes]).toEqual([[], [], []]);
    expect(latencies.length).toBeGreaterThan(0);
    expect(Math.max(...latencies), 'slowest canary word (ms)').toBeLessThan(5_000);
  });

  it('drops a reader closed with 1013 that never answers the close within seconds, not after 30 s', async () => {
    server = await startTestServer(['--max-buffered-bytes', String(256 * KiB)]);
    const gateway = server.server.gateway;
    const writer = client('firehose');
    await writer.synced();
    raws.push(await openSlowReader(server, 'firehose'));
    const closed = () => server!.logs.some((l) => l.doc === 'firehose' && l.code === CloseCode.tryAgainLater);
    await flood(writer, closed);
    expect(closed()).toBe(true);
    const closedAt = Date.now();
    await waitFor(() => gateway.connectionCount === 1, { timeoutMs: 8_000, message: 'the closed reader’s socket gone' });
    expect(Date.now() - closedAt).toBeLessThan(8_000);
    expect(gateway.bufferedBytes).toBeLessThan(256 * KiB);
    expect(writer.closes).toEqual([]);
  });
});
