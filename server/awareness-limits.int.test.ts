import { afterEach, describe, expect, it } from 'vitest';
import { CloseCode } from '../shared/protocol.js';
import { MessageType } from '../shared/protocol.js';
import { startTestServer, type TestServer } from './test-support/test-server.js';
import { ClientPool } from './test-support/client-pool.js';
import type { TestClient } from './test-support/test-client.js';
import { rawSocket, type RawSocket } from './test-support/auth-fixtures.js';
import { awarenessEntryCount, awarenessFrame, queryAwarenessFrame } from './test-support/awareness-frames.js';
import { waitFor } from './test-support/wait-for.js';

type UserState = { user?: { name?: string } };

function namesSeenBy(c: TestClient): string[] {
  return [...c.provider.awareness.getStates().entries()]
    .filter(([id]) => id !== c.doc.clientID)
    .map(([, state]) => (state as UserState).user?.name)
    .filter((name): name is string => typeof name === 'string')
    .sort();
}

/** What one hostile connection of the old attack sent: many new client ids per message, each with a large state. */
function floodFrames(messages: number, idsPerMessage: number, stateBytes: number): Uint8Array[] {
  const blob = 'x'.repeat(stateBytes);
  return Array.from({ length: messages }, (_, m) =>
    awarenessFrame(Array.from({ length: idsPerMessage }, (_, i) => ({ clientID: 1_000_000 + m * idsPerMessage + i, clock: 1, state: { user: { name: `bot${m}-${i}` }, blob } }))),
  );
}

// Root cause: the room applied awareness updates with no limits: one connection could introduce
// any number of client ids with states of any size, every joiner was sent all of it in one frame,
// and every query-awareness encoded all of it again.
describe('awareness limits', () => {
  let server: TestServer;
  const pool = new ClientPool(() => server.wsUrl);
  const sockets: RawSocket[] = [];

  afterEach(async () => {
    for (const raw of sockets.splice(0)) raw.ws.terminate();
    pool.destroyAll();
    await server.dispose();
  });

  /** A raw connection, served (its document loaded), whose close code is kept. */
  const raw = async (doc: string): Promise<RawSocket & { closeCode: () => number | null }> => {
    const socket = rawSocket(server.wsUrl, `/${doc}`);
    sockets.push(socket);
    let code: number | null = null;
    void socket.closed.then((closed) => (code = closed));
    await socket.opened;
    await waitFor(() => socket.received.length > 0, { message: 'raw socket served' });
    return { ...socket, closeCode: () => code };
  };

  const firstAwarenessFrame = (socket: RawSocket): Uint8Array | undefined => socket.received.find((frame) => frame[0] === MessageType.awareness);

  it('closes only the sender of an oversized awareness state (1009); the others and a joiner carry on', async () => {
    server = await startTestServer();
    const ada = pool.connect('room');
    await ada.synced();
    ada.provider.awareness.setLocalStateField('user', { name: 'Ada' });

    const big = await raw('room');
    big.ws.send(awarenessFrame([{ clientID: 5_000, clock: 1, state: { user: { name: 'Big' }, blob: 'x'.repeat(100 * 1024) } }]));
    await waitFor(() => big.closeCode() !== null, { message: 'oversized sender closed' });
    expect(big.closeCode()).toBe(CloseCode.messageTooBig);

    const joiner = pool.connect('room');
    await joiner.synced();
    await waitFor(() => namesSeenBy(joiner).join() === 'Ada', { message: 'joiner sees Ada, and only Ada' });
    expect(ada.provider.wsconnected).toBe(true);
  });

  it('closes a connection introducing more client ids than --max-awareness-ids (1008); a joiner gets a small presence frame and syncs', async () => {
    server = await startTestServer();
    const ada = pool.connect('room');
    await ada.synced();
    ada.provider.awareness.setLocalStateField('user', { name: 'Ada' });

    const flooder = await raw('room');
    // 2,000 ids of 10 KB each (under the state size limit): 20 MB of presence on the old code.
    for (const frame of floodFrames(100, 20, 10 * 1024)) flooder.ws.send(frame);
    await waitFor(() => flooder.closeCode() !== null, { timeoutMs: 15_000, message: 'flooder closed' });
    expect(flooder.closeCode()).toBe(CloseCode.policyViolation);

    const watcher = await raw('room');
    await waitFor(() => firstAwarenessFrame(watcher) !== undefined, { message: 'joiner sent the presence' });
    const frame = firstAwarenessFrame(watcher)!;
    expect(awarenessEntryCount(frame)).toBe(1);
    expect(frame.length).toBeLessThan(1024);

    const joiner = pool.connect('room');
    await joiner.synced();
    await waitFor(() => namesSeenBy(joiner).join() === 'Ada', { message: 'joiner sees Ada, and only Ada' });
  });

  it("keeps another document's edits flowing, and answers quickly, under an id flood and 50 query-awareness", async () => {
    server = await startTestServer();
    const writer = pool.connect('calm');
    const reader = pool.connect('calm');
    await Promise.all([writer.synced(), reader.synced()]);

    const flooder = await raw('busy');
    const querier = await raw('busy');
    // The old attack's shape: 100 KB states, 600 ids (60 MB of presence on the old code).
    for (const frame of floodFrames(60, 10, 100 * 1024)) flooder.ws.send(frame);
    // Handled: the flooder is closed, or (old code) its presence has all reached the querier.
    const relayed = (): number => querier.received.reduce((sum, f) => sum + (awarenessEntryCount(f) ?? 0), 0);
    await waitFor(() => flooder.closeCode() !== null || relayed() >= 600, { timeoutMs: 20_000, message: 'flood handled' });
    const before = querier.received.length;
    const askedAt = performance.now();
    for (let i = 0; i < 50; i++) querier.ws.send(queryAwarenessFrame());
    const answers = (): number => querier.received.slice(before).filter((f) => f[0] === MessageType.awareness).length;

    const arrived = new Map<string, number>();
    reader.doc.getArray<string>('probes').observe((event) => {
      for (const item of event.changes.added) for (const probe of item.content.getContent() as string[]) arrived.set(probe, performance.now());
    });
    let firstAnswerMs: number | null = null;
    const latencies: number[] = [];
    for (let i = 0; i < 10; i++) {
      const probe = `p${i}`;
      const sentAt = performance.now();
      writer.doc.getArray<string>('probes').push([probe]);
      await waitFor(
        () => {
          if (firstAnswerMs === null && answers() > 0) firstAnswerMs = performance.now() - askedAt;
          return arrived.has(probe);
        },
        { timeoutMs: 15_000, message: `probe ${i} at the reader` },
      );
      latencies.push(arrived.get(probe)! - sentAt);
      // Pacing the probes over the attack (a rate, not a wait for anything).
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await waitFor(() => answers() > 0, { timeoutMs: 15_000, message: 'first query-awareness answered' });
    firstAnswerMs ??= performance.now() - askedAt;
    expect(Math.max(...latencies)).toBeLessThan(1_000);
    expect(firstAnswerMs).toBeLessThan(1_000);
    expect(flooder.closeCode()).toBe(CloseCode.messageTooBig);
  });
});
