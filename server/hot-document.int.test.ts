import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as decoding from 'lib0/decoding';
import { MessageType, SyncMessageType } from '../shared/protocol.js';
import { startTestServer, type TestServer } from './test-support/test-server.js';
import { ClientPool } from './test-support/client-pool.js';
import { rawSocket, type RawSocket } from './test-support/auth-fixtures.js';
import { waitFor } from './test-support/wait-for.js';
import { HOLD_FOR_WINDOWS, presenceWindowMs } from './room/awareness-batch.js';

const PROVIDERS = 119; // with the raw observer: 120 connections, a hot document (held edits)
const ROUNDS = 30;

// A hot document holds its edits until the next presence send (held-updates.ts); both must still
// reach every stock client, and presence must ride with edits rather than add writes.
describe('a hot document (120 connections, every cursor moving, one writer)', () => {
  let server: TestServer;
  const pool = new ClientPool(() => server.wsUrl);
  let observer: RawSocket | null = null;
  const listeners: RawSocket[] = [];

  afterEach(async () => {
    observer?.ws.terminate();
    for (const listener of listeners.splice(0)) listener.ws.terminate();
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

  it('sends edits at once, one frame each, in a hot room whose cursors have been still for longer than it holds edits (HOLD_FOR_WINDOWS windows)', async () => {
    server = await startTestServer();
    const writer = pool.connect('still-room');
    await writer.synced();
    writer.provider.awareness.setLocalStateField('cursor', 0);
    // Readers that only listen make the room hot (120 connections) without a provider each, so
    // the writer's keystrokes can come closer together than the room's presence window.
    for (let i = 0; i < PROVIDERS - 1; i++) listeners.push(rawSocket(server.wsUrl, '/still-room'));
    observer = rawSocket(server.wsUrl, '/still-room');
    await Promise.all([...listeners, observer].map((socket) => socket.opened));
    const raw = observer;
    // The writer's presence reached the observer: nothing of it is waiting to be sent any more.
    const seen = new awarenessProtocol.Awareness(new Y.Doc());
    let read = 0;
    await waitFor(
      () => {
        for (; read < raw.received.length; read++) {
          const decoder = decoding.createDecoder(raw.received[read]!);
          if (decoding.readVarUint(decoder) === MessageType.awareness) awarenessProtocol.applyAwarenessUpdate(seen, decoding.readVarUint8Array(decoder), 'server');
        }
        return seen.getStates().has(writer.doc.clientID);
      },
      { message: "the writer's presence at the observer" },
    );
    seen.destroy();
    // Cursors come in bursts, so a hot room holds edits for a few windows after its last presence
    // send (HOLD_FOR_WINDOWS): only a room still for longer than that is a still room.
    const presenceSeenAt = performance.now();
    const holdsForMs = HOLD_FOR_WINDOWS * presenceWindowMs(PROVIDERS + 1);
    await waitFor(() => performance.now() - presenceSeenAt > holdsForMs, { message: 'the room still for longer than it holds edits' });
    const from = raw.received.length;
    const edits = (): Uint8Array[] => raw.received.slice(from).filter((frame) => frame[0] === MessageType.sync && frame[1] === SyncMessageType.update);

    // Keystrokes about a millisecond apart, each in a turn of its own: closer than the room's
    // presence window (19 ms at 120 connections), so holding them would merge several per frame.
    const KEYSTROKES = 40;
    for (let i = 0; i < KEYSTROKES; i++) {
      writer.doc.getText('t').insert(i, String(i % 10));
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    const text = writer.doc.getText('t').toString();
    const replica = new Y.Doc();
    await waitFor(
      () => {
        for (const frame of edits()) Y.applyUpdate(replica, updateIn(frame));
        return replica.getText('t').toString() === text;
      },
      { message: 'every keystroke at the observer' },
    );
    expect(edits()).toHaveLength(KEYSTROKES);
  }, 60_000);
});

/** The Yjs update inside a sync-update frame. */
function updateIn(frame: Uint8Array): Uint8Array {
  const decoder = decoding.createDecoder(frame);
  decoding.readVarUint(decoder);
  decoding.readVarUint(decoder);
  return decoding.readVarUint8Array(decoder);
}
