import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import * as awarenessProtocol from 'y-protocols/awareness';
import { ObservableV2 } from 'lib0/observable';
import { MessageType } from '../../shared/protocol.js';
import type { RoomEvents } from './room-events.js';
import type { RoomPeer } from './room-peer.js';
import { broadcastRoomChanges } from './room-broadcast.js';
import { encodeAwarenessEntries } from './awareness-guard.js';
import { WritesPeer } from '../test-support/writes-peer.js';
import { waitFor } from '../test-support/wait-for.js';

/** A room as the broadcast sees it: its events, peers and presence, with a fixed presence window. */
class FakeRoom extends ObservableV2<RoomEvents> {
  readonly awareness = new awarenessProtocol.Awareness(new Y.Doc());
  readonly isDestroyed = false;
  constructor(readonly peers: WritesPeer[]) {
    super();
    this.awareness.setLocalState(null);
    this.awareness.on('update', (change: RoomEvents['awareness'] extends (c: infer C, o: unknown) => void ? C : never, origin: unknown) =>
      this.emit('awareness', [change, origin]),
    );
  }
  get peerCount(): number {
    return this.peers.length;
  }
  move(peer: RoomPeer, clientID: number, clock: number): void {
    awarenessProtocol.applyAwarenessUpdate(this.awareness, encodeAwarenessEntries([{ clientID, clock, state: { cursor: clock } }]), peer);
  }
}

/** One keystroke's update, as a client would send it. */
function keystroke(text: string): Uint8Array {
  const doc = new Y.Doc();
  doc.getText('t').insert(0, text);
  return Y.encodeStateAsUpdate(doc);
}

const kinds = (write: Uint8Array[]): number[] => write.map((message) => message[0]!);

const LULL_WINDOW_MS = 20;

/** A hot room (window LULL_WINDOW_MS) whose last presence went out 1.5 windows ago: more than a window, fewer than HOLD_FOR_WINDOWS. */
async function roomInLull() {
  const [ada, bob, eve] = [new WritesPeer('ada'), new WritesPeer('bob'), new WritesPeer('eve')];
  const room = new FakeRoom([ada, bob, eve]);
  const stop = broadcastRoomChanges(room, () => LULL_WINDOW_MS);
  room.move(bob, 2, 1);
  await waitFor(() => eve.writes.length === 1, { message: 'first presence sent' });
  const sentAt = performance.now();
  await waitFor(() => performance.now() - sentAt > 1.5 * LULL_WINDOW_MS, { message: 'a lull of 1.5 windows' });
  return { room, ada, bob, eve, stop };
}

describe('broadcastRoomChanges in a hot room', () => {
  it('holds an edit that arrives between presence sends for the next one: one write per receiver per window, carrying both', async () => {
    const [ada, bob, eve] = [new WritesPeer('ada'), new WritesPeer('bob'), new WritesPeer('eve')];
    const room = new FakeRoom([ada, bob, eve]);
    const stop = broadcastRoomChanges(room, () => 50);
    room.move(bob, 2, 1);
    await waitFor(() => eve.writes.length === 1, { message: 'first presence sent' });

    // No presence is waiting now, but cursors are moving: the edit waits for the window's end.
    room.emit('update', [keystroke('a'), { source: 'client', peer: ada }]);
    expect(eve.writes).toHaveLength(1);
    room.move(bob, 2, 2);
    await waitFor(() => eve.writes.length === 2, { message: 'the window sent' });
    expect(kinds(eve.writes[1]!)).toEqual([MessageType.sync, MessageType.awareness]);
    expect(kinds(ada.writes.at(-1)!)).toEqual([MessageType.awareness]);
    stop();
    room.awareness.destroy();
  });

  it('holds an edit that arrives in a lull between bursts of cursor moves (presence sent a few windows ago) for the next presence, one write carrying both', async () => {
    const { room, ada, bob, eve, stop } = await roomInLull();

    room.emit('update', [keystroke('a'), { source: 'client', peer: ada }]);
    expect(eve.writes).toHaveLength(1);
    room.move(bob, 2, 2);
    await waitFor(() => eve.writes.length === 2, { message: 'the next send' });
    expect(kinds(eve.writes[1]!)).toEqual([MessageType.sync, MessageType.awareness]);
    stop();
    room.awareness.destroy();
  });

  it('sends an edit held in a lull after one window when no presence comes', async () => {
    const { room, ada, eve, stop } = await roomInLull();

    const heldAt = performance.now();
    room.emit('update', [keystroke('a'), { source: 'client', peer: ada }]);
    await waitFor(() => eve.writes.length === 2, { message: 'the held edit sent' });
    expect(performance.now() - heldAt).toBeGreaterThanOrEqual(LULL_WINDOW_MS - 1);
    expect(kinds(eve.writes[1]!)).toEqual([MessageType.sync]);
    stop();
    room.awareness.destroy();
  });

  it('sends an edit at once in a hot room whose cursors have not moved', () => {
    const [ada, eve] = [new WritesPeer('ada'), new WritesPeer('eve')];
    const room = new FakeRoom([ada, eve]);
    const stop = broadcastRoomChanges(room, () => 50);
    room.emit('update', [keystroke('a'), { source: 'client', peer: ada }]);
    expect(eve.writes.map(kinds)).toEqual([[MessageType.sync]]);
    expect(ada.writes).toEqual([]);
    stop();
    room.awareness.destroy();
  });
});
