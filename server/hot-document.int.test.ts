import { afterEach, describe, expect, it } from 'vitest';
import { MessageType, SyncMessageType } from '../shared/protocol.js';
import { startTestServer, type TestServer } from './test-support/test-server.js';
import { ClientPool } from './test-support/client-pool.js';
import { rawSocket, type RawSocket } from './test-support/auth-fixtures.js';
import { waitFor } from './test-support/wait-for.js';

const PROVIDERS = 119; // with the raw observer: 120 connections, a hot document (held edits)
const ROUNDS = 30;

// A hot document holds its edits until the next presence send (held-updates.ts); both must still
// reach every stock client, and presence must ride with edits rather than add writes.
describe('a hot document (120 connections, every cursor moving, one writer)', () => {
  let server: TestServer;
  const pool = new ClientPool(() => server.wsUrl);
  let observer: RawSocket | null = null;

  afterEach(async () => {
    observer?.ws.terminate();
    pool.destroyAll();
    await server.dispose();
  });

  it('delivers every edit and every last cursor to every stock client, presence riding with edits (no more presence frames than edit frames at a receiver)', async () => {
    server = await startTestServer();
    const clients = Array.from({ length: PROVIDERS }, () => pool.connect('hot-room'));
    await Promise.all(clients.map((client) => client.synced()));
    observer = rawSocket(server.wsUrl, '/hot-room');
    await observer.opened;
    const raw = observer;
    const isEdit = (frame: Uint8Array): boolean => frame[0] === MessageType.sync && frame[1] === SyncMessageType.update;
    const isPresence = (frame: Uint8Array): boolean => frame[0] === MessageType.awareness;
    await waitFor(() => raw.received.length > 0, { message: 'observer served' });
    const from = raw.received.length;
    const frames = (test: (frame: Uint8Array) => boolean): number => raw.received.slice(from).filter(test).length;

    const writer = clients[0]!;
    // Closed loop: each round, one keystroke and every cursor moving; the next waits for the keystroke at the observer.
    for (let round = 1; round <= ROUNDS; round++) {
      writer.doc.getText('t').insert(writer.doc.getText('t').length, String(round % 10));
      for (const client of clients) client.provider.awareness.setLocalStateField('cursor', round);
      await waitFor(() => frames(isEdit) >= round, { message: `keystroke ${round} at the observer` });
    }

    const text = writer.doc.getText('t').toString();
    expect(text).toHaveLength(ROUNDS);
    await waitFor(() => clients.every((client) => client.doc.getText('t').toString() === text), { message: 'every client has every keystroke' });
    const ids = clients.map((client) => client.doc.clientID);
    await waitFor(
      () => clients.every((client) => ids.every((id) => (client.provider.awareness.getStates().get(id)?.cursor as unknown) === ROUNDS)),
      { message: "every client sees everyone's last cursor" },
    );
    expect(frames(isEdit)).toBe(ROUNDS);
    expect(frames(isPresence)).toBeGreaterThan(0);
    expect(frames(isPresence)).toBeLessThanOrEqual(frames(isEdit) + 1);
  }, 60_000);
});
