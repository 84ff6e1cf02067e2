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
import { ManualClock } from '../test-support/manual-clock.js';
import { HOLD_FOR_WINDOWS } from './awareness-batch.js';

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

const WINDOW_MS = 20;
const nextTick = (): Promise<void> => new Promise((resolve) => process.nextTick(resolve));

/** A hot room (a WINDOW_MS presence window) on a manual clock, with ada, bob and eve connected. */
function hotRoom() {
  const [ada, bob, eve] = [new WritesPeer('ada'), new WritesPeer('bob'), new WritesPeer('eve')];
  const room = new FakeRoom([ada, bob, eve]);
  const clock = new ManualClock();
  const stop = broadcastRoomChanges(room, () => WINDOW_MS, clock);
  const close = (): void => {
    stop();
    room.awareness.destroy();
  };
  return { room, ada, bob, eve, clock, close };
}

/** A hot room whose last presence went out 1.5 windows ago: more than a window, fewer than HOLD_FOR_WINDOWS. */
async function roomInLull() {
  const hot = hotRoom();
  hot.room.move(hot.bob, 2, 1);
  // The first change of a window goes at the end of its turn.
  await nextTick();
  expect(hot.eve.writes).toHaveLength(1);
  hot.clock.advance(1.5 * WINDOW_MS);
  return hot;
}

describe('broadcastRoomChanges in a hot room', () => {
  it('holds an edit that arrives between presence sends for the next one: one write per receiver per window, carrying both', async () => {
    const { room, ada, bob, eve, clock, close } = hotRoom();
    room.move(bob, 2, 1);
    await nextTick();
    expect(eve.writes).toHaveLength(1);

    // No presence is waiting now, but cursors are moving: the edit waits for the window's end.
    clock.advance(WINDOW_MS / 2);
    room.emit('update', [keystroke('a'), { source: 'client', peer: ada }]);
    room.move(bob, 2, 2);
    await nextTick();
    expect(eve.writes).toHaveLength(1);
    clock.advance(WINDOW_MS / 2);
    expect(eve.writes).toHaveLength(2);
    expect(kinds(eve.writes[1]!)).toEqual([MessageType.sync, MessageType.awareness]);
    expect(kinds(ada.writes.at(-1)!)).toEqual([MessageType.awareness]);
    close();
  });

  it('holds an edit that arrives in a lull between bursts of cursor moves (presence sent a few windows ago) for the next presence, one write carrying both', async () => {
    const { room, ada, bob, eve, clock, close } = await roomInLull();

    room.emit('update', [keystroke('a'), { source: 'client', peer: ada }]);
    await nextTick();
    expect(eve.writes).toHaveLength(1);
    room.move(bob, 2, 2);
    await nextTick();
    expect(eve.writes).toHaveLength(1);
    clock.advance(WINDOW_MS);
    expect(eve.writes).toHaveLength(2);
    expect(kinds(eve.writes[1]!)).toEqual([MessageType.sync, MessageType.awareness]);
    close();
  });

  it('sends an edit held in a lull after exactly one window when no presence comes', async () => {
    const { room, ada, eve, clock, close } = await roomInLull();

    room.emit('update', [keystroke('a'), { source: 'client', peer: ada }]);
    await nextTick();
    clock.advance(WINDOW_MS - 1);
    expect(eve.writes).toHaveLength(1);
    clock.advance(1);
    expect(eve.writes).toHaveLength(2);
    expect(kinds(eve.writes[1]!)).toEqual([MessageType.sync]);
    close();
  });

  it('sends an edit at once in a hot room whose cursors last moved HOLD_FOR_WINDOWS windows ago', async () => {
    const { room, ada, bob, eve, clock, close } = hotRoom();
    room.move(bob, 2, 1);
    await nextTick();
    clock.advance(HOLD_FOR_WINDOWS * WINDOW_MS);

    room.emit('update', [keystroke('a'), { source: 'client', peer: ada }]);
    expect(eve.writes.map(kinds)).toEqual([[MessageType.awareness], [MessageType.sync]]);
    close();
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
