import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import * as awarenessProtocol from 'y-protocols/awareness';
import { pino } from 'pino';
import { CloseCode, type CloseCodeValue } from '../../shared/protocol.js';
import type { RoomPeer } from './room-peer.js';
import { RoomAwareness } from './room-awareness.js';
import { encodeAwarenessEntries } from './awareness-guard.js';

/** A connection stand-in (room-peer.ts: rooms never see sockets) that records what the room told it. */
class RecordingPeer implements RoomPeer {
  readonly canWrite = true;
  readonly wantsSaveAck = false;
  isOpen = true;
  closedWith: CloseCodeValue | null = null;
  refused = 0;
  readonly awarenessLimits = { maxStateBytes: 1024, maxIds: 2 };

  constructor(
    readonly id: string,
    readonly subject: string | null = null,
    readonly displayName: string | null = null,
  ) {}

  send(): void {}
  close(code: CloseCodeValue): void {
    this.closedWith = code;
    this.isOpen = false;
  }
  pauseInput(): void {}
  resumeInput(): void {}
  refusedWrite(): void {}
  refusedAwareness(count: number): void {
    this.refused += count;
  }
}

type State = Record<string, unknown> | null;

function entry(clientID: number, clock: number, state: State): Uint8Array {
  return encodeAwarenessEntries([{ clientID, clock, state }]);
}

describe('RoomAwareness', () => {
  const rooms: RoomAwareness[] = [];
  const room = (): RoomAwareness => {
    const created = new RoomAwareness({ doc: new Y.Doc(), name: 'unit', logger: pino({ level: 'silent' }), onChange: () => undefined });
    rooms.push(created);
    return created;
  };
  const stateOf = (presence: RoomAwareness, id: number): unknown => presence.awareness.getStates().get(id);

  afterEach(() => {
    for (const presence of rooms.splice(0)) presence.destroy();
  });

  it("refuses and counts a connection's changes to another connection's state; echoes and same-clock removals are not counted", () => {
    // Root cause: y-protocols applies every entry with a newer clock, whoever sent it.
    const presence = room();
    const [ada, bob] = [new RecordingPeer('ada'), new RecordingPeer('bob')];
    presence.attach(ada);
    presence.attach(bob);
    presence.receive(ada, entry(1, 1, { user: { name: 'Ada' } }));

    presence.receive(bob, entry(1, 2, { user: { name: 'Mallory' } }));
    presence.receive(bob, entry(1, 3, null));
    expect(stateOf(presence, 1)).toEqual({ user: { name: 'Ada' } });
    expect(bob.refused).toBe(2);

    // What stock clients send: an echo of Ada's state, and a removal at its clock (their own timeout).
    presence.receive(bob, entry(1, 1, { user: { name: 'Ada' } }));
    presence.receive(bob, entry(1, 1, null));
    expect(stateOf(presence, 1)).toEqual({ user: { name: 'Ada' } });
    expect(bob.refused).toBe(2);
    expect(bob.closedWith).toBeNull();

    // Ada's own removal is hers to make.
    presence.receive(ada, entry(1, 2, null));
    expect(presence.awareness.getStates().has(1)).toBe(false);
  });

  it('closes a connection with 1008 past its id limit, counting ids over its life, and 1009 for an oversized state', () => {
    const presence = room();
    const flooder = new RecordingPeer('flooder');
    presence.attach(flooder);
    presence.receive(flooder, entry(10, 1, { n: 1 }));
    presence.receive(flooder, entry(11, 1, { n: 2 }));
    // Removing an id does not give its slot back.
    presence.receive(flooder, entry(11, 2, null));
    expect(presence.receive(flooder, entry(12, 1, { n: 3 }))).toBe(false);
    expect(flooder.closedWith).toBe(CloseCode.policyViolation);
    expect(presence.awareness.getStates().has(12)).toBe(false);

    const big = new RecordingPeer('big');
    presence.attach(big);
    expect(presence.receive(big, entry(20, 1, { blob: 'x'.repeat(2000) }))).toBe(false);
    expect(big.closedWith).toBe(CloseCode.messageTooBig);
    expect(presence.awareness.getStates().has(20)).toBe(false);
  });

  it("shows the token's name instead of the client's", () => {
    const presence = room();
    const alice = new RecordingPeer('alice', 'alice-sub', 'Alice (from token)');
    presence.attach(alice);
    presence.receive(alice, entry(1, 1, { user: { name: 'The CEO', color: '#f00' } }));
    expect(stateOf(presence, 1)).toEqual({ user: { name: 'Alice (from token)', color: '#f00' } });
  });

  it('lets a connection of the same subject take over an id, which its old connection then no longer removes', () => {
    const presence = room();
    const [oldTab, newTab, stranger] = [new RecordingPeer('old', 'alice'), new RecordingPeer('new', 'alice'), new RecordingPeer('x', 'eve')];
    for (const peer of [oldTab, newTab, stranger]) presence.attach(peer);
    presence.receive(oldTab, entry(7, 1, { user: { name: 'A' } }));

    presence.receive(stranger, entry(7, 2, { user: { name: 'E' } }));
    expect(stranger.refused).toBe(1);

    presence.receive(newTab, entry(7, 2, { user: { name: 'A2' } }));
    expect(stateOf(presence, 7)).toEqual({ user: { name: 'A2' } });
    presence.detach(oldTab);
    expect(stateOf(presence, 7)).toEqual({ user: { name: 'A2' } });
    presence.detach(newTab);
    expect(presence.awareness.getStates().has(7)).toBe(false);
  });

  it('keeps presence set on the server side out of every connection’s reach, and ignores a connection that left', () => {
    const presence = room();
    const peer = new RecordingPeer('p');
    presence.attach(peer);
    // As a cross-process relay would apply it: any origin that is not a connection.
    const remote = new awarenessProtocol.Awareness(new Y.Doc());
    remote.setLocalState({ user: { name: 'Remote' } });
    awarenessProtocol.applyAwarenessUpdate(presence.awareness, awarenessProtocol.encodeAwarenessUpdate(remote, [remote.clientID]), 'relay');
    presence.receive(peer, entry(remote.clientID, 5, { user: { name: 'Spoof' } }));
    presence.receive(peer, entry(presence.awareness.clientID, 5, { user: { name: 'Server?' } }));
    expect(stateOf(presence, remote.clientID)).toEqual({ user: { name: 'Remote' } });
    expect(presence.awareness.getStates().has(presence.awareness.clientID)).toBe(false);
    expect(peer.refused).toBe(2);
    remote.destroy();

    presence.detach(peer);
    presence.receive(peer, entry(99, 1, { user: { name: 'Ghost' } }));
    expect(presence.awareness.getStates().has(99)).toBe(false);
  });

  it('encodes the full-presence message once per change', () => {
    const presence = room();
    const peer = new RecordingPeer('p');
    presence.attach(peer);
    presence.receive(peer, entry(1, 1, { user: { name: 'A' } }));
    const first = presence.fullMessage;
    expect(presence.fullMessage).toBe(first);
    presence.receive(peer, entry(1, 2, { user: { name: 'B' } }));
    expect(presence.fullMessage).not.toBe(first);
    expect(presence.fullMessage.length).toBeGreaterThan(0);
  });
});
