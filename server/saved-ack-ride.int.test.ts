import { afterEach, describe, expect, it } from 'vitest';
import { Socket } from 'node:net';
import * as decoding from 'lib0/decoding';
import { startTestServer, type TestServer } from './test-support/test-server.js';
import type { TestClient } from './test-support/test-client.js';
import { ClientPool } from './test-support/client-pool.js';
import { waitFor } from './test-support/wait-for.js';
import { withGate, type AppendGate } from './test-support/gated-store.js';
import { messagesInFrames } from './test-support/ws-frames.js';

/** The messages in one socket write of the server's (whole frames only). */
const messagesIn = (chunk: Uint8Array): Uint8Array[] => messagesInFrames([chunk]).map(({ data }) => data);

const isSavedAck = (message: Uint8Array): boolean => message[0] === 100;
const isSyncUpdate = (message: Uint8Array): boolean => message[0] === 0 && message[1] === 2;
const ackCount = (message: Uint8Array): number => {
  const decoder = decoding.createDecoder(message);
  decoding.readVarUint(decoder);
  return decoding.readVarUint(decoder);
};

/**
 * Records every socket write the server makes to `client`'s connection (client and server share
 * this process: the server's socket is the one whose remote port is the client's local port).
 */
function recordServerWritesTo(client: TestClient): { writes: Uint8Array[][]; stop: () => void } {
  const clientSocket = (client.provider.ws as unknown as { _socket: Socket })._socket;
  const clientPort = clientSocket.localPort;
  const serverPort = clientSocket.remotePort;
  const writes: Uint8Array[][] = [];
  const prototype = Socket.prototype as unknown as { write: (this: Socket, ...args: unknown[]) => boolean };
  const original = prototype.write;
  prototype.write = function (this: Socket, chunk: unknown, ...rest: unknown[]) {
    if (this.remotePort === clientPort && this.localPort === serverPort && chunk instanceof Uint8Array) writes.push(messagesIn(chunk));
    return original.call(this, chunk, ...rest);
  };
  return {
    writes,
    stop: () => {
      prototype.write = original;
    },
  };
}

/** The ride window of the gated servers below. */
const RIDE_MS = 500;

const allAcked = (client: TestClient): boolean => client.sentUpdateMessages > 0 && client.savedCount === client.sentUpdateMessages;

// Root cause: the server wrote every saved ack by itself, a socket write (~10-15 µs of CPU) per
// edit, while a writer in a shared document gets the others' edits a moment later anyway.
describe('saved acks ride the next message to their client', () => {
  let server: TestServer;
  const pool = new ClientPool(() => server.wsUrl);
  const stops: (() => void)[] = [];

  afterEach(async () => {
    for (const stop of stops.splice(0)) stop();
    pool.destroyAll();
    await server.dispose();
  });

  /**
   * A server whose store appends pass through a gate (gated-store.ts); returns the gate. Its acks
   * wait up to RIDE_MS for a ride (not 5 ms): what rides and what merges then does not depend on
   * how busy the machine is.
   */
  async function startGatedServer(): Promise<AppendGate> {
    let gate: AppendGate | null = null;
    server = await startTestServer([], {}, {
      wrapStore: (store) => {
        const gated = withGate(store);
        gate = gated.appends;
        return gated.store;
      },
      start: { savedAckRideMs: RIDE_MS },
    });
    return gate!;
  }

  function record(client: TestClient): Uint8Array[][] {
    const recorder = recordServerWritesTo(client);
    stops.push(recorder.stop);
    return recorder.writes;
  }

  it('still acknowledges a lone writer promptly, with the right count', async () => {
    server = await startTestServer();
    const writer = pool.connect('lone', { saveAck: true });
    await writer.synced();
    await waitFor(() => allAcked(writer), { timeoutMs: 2_000, message: 'the step 2 acknowledged' });
    const writes = record(writer);
    for (let i = 0; i < 3; i++) {
      writer.doc.getText('t').insert(0, 'k');
      await new Promise((resolve) => setImmediate(resolve));
    }
    await waitFor(() => allAcked(writer), { timeoutMs: 2_000, message: 'every keystroke acknowledged' });
    expect(writer.savedCount).toBe(writer.sentUpdateMessages);
    // Nothing else was written to it: its acks went alone.
    expect(writes.flat().every(isSavedAck)).toBe(true);
  });

  it('sends a writer’s ack in the same socket write as the next edit of the other writer taking turns with it', async () => {
    const gate = await startGatedServer();
    const a = pool.connect('turns', { saveAck: true });
    const b = pool.connect('turns');
    await Promise.all([a.synced(), b.synced()]);
    await waitFor(() => allAcked(a), { timeoutMs: 2 * RIDE_MS, message: 'the step 2 acknowledged' });
    const writes = record(a);

    // A and B take turns, each keystroke typed as soon as the previous one is stored: A's ack is
    // due just before B's keystroke reaches the server, whatever the speed of the store.
    const TURNS = 10;
    let typed = 0;
    const typeNext = (): void => {
      if (typed === 2 * TURNS) return;
      (typed++ % 2 === 0 ? a : b).doc.getText('t').insert(0, 'x');
    };
    gate.afterAppend = typeNext;
    typeNext();
    await waitFor(() => a.doc.getText('t').length === 2 * TURNS && b.doc.getText('t').length === 2 * TURNS, { message: 'every turn typed' });
    await waitFor(() => allAcked(a), { timeoutMs: RIDE_MS / 2, message: 'every edit of A acknowledged, with no wait for the window' });

    // One ack per turn of A's, each leading the write of B's next keystroke.
    const withAck = writes.filter((messages) => messages.some(isSavedAck));
    expect(withAck.length).toBe(TURNS);
    for (const messages of withAck) {
      expect(isSavedAck(messages[0]!)).toBe(true);
      expect(messages.slice(1).some(isSyncUpdate)).toBe(true);
    }
  });

  it('sends one ack, the highest, when several writes become durable before it leaves', async () => {
    const gate = await startGatedServer();
    const writer = pool.connect('merged', { saveAck: true });
    const reader = pool.connect('merged');
    await Promise.all([writer.synced(), reader.synced()]);
    await waitFor(() => allAcked(writer), { timeoutMs: 2 * RIDE_MS, message: 'the step 2 acknowledged' });
    const writes = record(writer);

    // The first keystroke's write waits at the gate; the next four queue behind it for a second write.
    gate.close();
    writer.doc.getText('t').insert(0, 'a');
    await waitFor(() => gate.waiting === 1, { message: 'the first write at the gate' });
    for (let i = 0; i < 4; i++) {
      writer.doc.getText('t').insert(0, 'b');
      await new Promise((resolve) => setImmediate(resolve));
    }
    await waitFor(() => reader.doc.getText('t').length === 5, { message: 'the server has every keystroke' });
    gate.open();
    // Nothing is written to the writer: the ack goes alone once its window is over.
    await waitFor(() => allAcked(writer), { timeoutMs: 2 * RIDE_MS, message: 'every keystroke acknowledged' });

    const acks = writes.flat().filter(isSavedAck);
    expect(acks.map(ackCount)).toEqual([writer.sentUpdateMessages]);
  });

  it('a graceful stop sends the ack of an edit that became durable just before it, ahead of the 1012 close', async () => {
    const gate = await startGatedServer();
    const writer = pool.connect('stopping', { saveAck: true });
    await writer.synced();
    await waitFor(() => allAcked(writer), { timeoutMs: 2 * RIDE_MS, message: 'the step 2 acknowledged' });
    let atClose = null as { code: number; saved: number; sent: number } | null;
    writer.provider.on('connection-close', (event: { code: number } | null) => {
      atClose ??= { code: event?.code ?? 0, saved: writer.savedCount, sent: writer.sentUpdateMessages };
    });

    // The stop begins as the edit is stored: its ack is due while the server flushes and closes.
    let stopped = null as Promise<void> | null;
    gate.afterAppend = () => {
      stopped ??= server.server.close();
    };
    writer.doc.getText('t').insert(0, 'last words');
    await waitFor(() => stopped !== null, { message: 'the stop begun' });
    await stopped;
    await waitFor(() => atClose !== null, { message: 'the connection closed' });
    const { code, saved, sent } = atClose!;
    expect(code).toBe(1012);
    expect(sent).toBeGreaterThanOrEqual(2);
    expect(saved).toBe(sent);
  });
});
