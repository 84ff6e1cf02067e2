import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import * as Y from 'yjs';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { startTestServer, type TestServer } from './test-support/test-server.js';
import { ClientPool } from './test-support/client-pool.js';
import { waitFor } from './test-support/wait-for.js';

/** Sync step 1 naming one client: with one the document has never seen, six bytes on the wire. */
function step1(client: number, clock: number): Uint8Array {
  const stateVector = encoding.createEncoder();
  encoding.writeVarUint(stateVector, 1);
  encoding.writeVarUint(stateVector, client);
  encoding.writeVarUint(stateVector, clock);
  const frame = encoding.createEncoder();
  encoding.writeVarUint(frame, 0);
  encoding.writeVarUint(frame, 0);
  encoding.writeVarUint8Array(frame, encoding.toUint8Array(stateVector));
  return encoding.toUint8Array(frame);
}

/** The update carried by a sync step 2 frame, or null for any other frame. */
function step2Update(frame: Buffer): Uint8Array | null {
  const decoder = decoding.createDecoder(frame);
  if (decoding.readVarUint(decoder) !== 0 || decoding.readVarUint(decoder) !== 1) return null;
  return decoding.readVarUint8Array(decoder);
}

const KEYS = 200_000;

interface Attacker {
  ws: WebSocket;
  answers: Uint8Array[];
  connected: () => boolean;
}

function connectAttacker(wsUrl: string, doc: string): Attacker {
  const ws = new WebSocket(`${wsUrl}/${doc}`);
  ws.on('error', () => undefined);
  const answers: Uint8Array[] = [];
  let connected = false;
  ws.on('message', (data: Buffer) => {
    connected = true;
    const update = step2Update(data);
    if (update) answers.push(update);
  });
  return { ws, answers, connected: () => connected };
}

describe('sync step 1 amplification', () => {
  let server: TestServer;
  const pool = new ClientPool(() => server.wsUrl);
  const sockets: WebSocket[] = [];

  afterEach(async () => {
    for (const ws of sockets.splice(0)) ws.terminate();
    pool.destroyAll();
    await server.dispose();
  });

  it("keeps another document's edits flowing while connections flood a large document with sync step 1s, and still answers them correctly", async () => {
    // Root cause: every sync step 1 was answered with a fresh Y.encodeStateAsUpdate against the
    // state vector it named; a vector naming a client the document lacks asks for everything, so
    // a few bytes cost a full encode of the document, thousands of them in a row (on the old
    // code the first probe below had not arrived after 15 s).
    // One attacker names made-up clients; the other real clocks, each vector different.
    server = await startTestServer();
    const seeder = pool.connect('big', { saveAck: true });
    await seeder.synced();
    const map = seeder.doc.getMap<number>('m');
    seeder.doc.transact(() => {
      for (let i = 0; i < KEYS; i++) map.set(`k${i}`, i);
    });
    const sent = seeder.sentUpdateMessages;
    await waitFor(() => seeder.savedCount >= sent, { timeoutMs: 20_000, message: 'large document saved' });

    const writer = pool.connect('calm');
    const reader = pool.connect('calm');
    await Promise.all([writer.synced(), reader.synced()]);

    const fake = connectAttacker(server.wsUrl, 'big');
    const varied = connectAttacker(server.wsUrl, 'big');
    sockets.push(fake.ws, varied.ws);
    // The server's own step 1 arrives once the document is loaded and the socket is read.
    await waitFor(() => fake.connected() && varied.connected(), { message: 'attackers connected to the loaded document' });
    for (let i = 0; i < 1_000; i++) {
      fake.ws.send(step1(0x7fff0000 + i, 5));
      varied.ws.send(step1(seeder.doc.clientID, 1 + i));
    }

    // Meanwhile: one edit every 100 ms on the other document, each one timed to the reader.
    const arrived = new Map<string, number>();
    reader.doc.getArray<string>('probes').observe((event) => {
      for (const item of event.changes.added) for (const probe of item.content.getContent() as string[]) arrived.set(probe, performance.now());
    });
    const latencies: number[] = [];
    for (let i = 0; i < 25; i++) {
      const probe = `p${i}`;
      const sentAt = performance.now();
      writer.doc.getArray<string>('probes').push([probe]);
      await waitFor(() => arrived.has(probe), { timeoutMs: 15_000, message: `probe ${i} at the reader` });
      latencies.push(arrived.get(probe)! - sentAt);
      // Pacing the probes over the attack (a rate, not a wait for anything).
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // A generous bound: on the old code single probes waited many seconds behind the encodes.
    expect(Math.max(...latencies)).toBeLessThan(3_000);

    // The attackers are slowed down, not dropped, and what they get is right: the whole document
    // for made-up clients, and for a real clock everything after it.
    expect(fake.ws.readyState).toBe(WebSocket.OPEN);
    expect(varied.ws.readyState).toBe(WebSocket.OPEN);

    expect(fake.answers.length).toBeGreaterThanOrEqual(2);
    for (const answer of [fake.answers[0]!, fake.answers[fake.answers.length - 1]!]) {
      const copy = new Y.Doc();
      Y.applyUpdate(copy, answer);
      expect(copy.getMap('m').size).toBe(KEYS);
      expect(copy.getMap('m').get(`k${KEYS - 1}`)).toBe(KEYS - 1);
    }
    expect(varied.answers.length).toBeGreaterThanOrEqual(2);
    for (const [i, answer] of varied.answers.entries()) {
      // The seeder's clock ran from 0 to KEYS: a vector at clock c is sent c up to KEYS.
      const { from, to } = Y.parseUpdateMeta(answer);
      expect([from.get(seeder.doc.clientID), to.get(seeder.doc.clientID)]).toEqual([1 + i, KEYS]);
    }
  });
});
