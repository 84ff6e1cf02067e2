import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as decoding from 'lib0/decoding';
import { MessageType, SyncMessageType } from '../../shared/protocol.js';
import type { RoomPeer } from './room-peer.js';
import { AwarenessBatch } from './awareness-batch.js';
import { encodeAwarenessEntries } from './awareness-guard.js';
import { HeldUpdates } from './held-updates.js';
import { waitFor } from '../test-support/wait-for.js';
import { WritesPeer } from '../test-support/writes-peer.js';

function hotRoom(peers: WritesPeer[], windowMs: number) {
  const awareness = new awarenessProtocol.Awareness(new Y.Doc());
  awareness.setLocalState(null);
  const held = new HeldUpdates();
  const batch = new AwarenessBatch({ awareness, isDestroyed: false, peerCount: peers.length, peers }, () => windowMs, held);
  awareness.on('update', (change: { added: number[]; updated: number[]; removed: number[] }, origin: unknown) => batch.add(change, origin));
  const update = (bytes: Uint8Array, sender: RoomPeer | null): void => {
    held.add(bytes, sender);
    batch.schedule();
  };
  return { awareness, update };
}

const move = (awareness: awarenessProtocol.Awareness, peer: RoomPeer, clientID: number, clock: number): void =>
  awarenessProtocol.applyAwarenessUpdate(awareness, encodeAwarenessEntries([{ clientID, clock, state: { cursor: clock } }]), peer);

/** The Yjs update inside a sync-update message (fails the test on anything else). */
function updateIn(message: Uint8Array): Uint8Array {
  const decoder = decoding.createDecoder(message);
  expect(decoding.readVarUint(decoder)).toBe(MessageType.sync);
  expect(decoding.readVarUint(decoder)).toBe(SyncMessageType.update);
  return decoding.readVarUint8Array(decoder);
}

/** Types `count` characters into `doc` one transaction each; returns each transaction's update. */
function typeInto(doc: Y.Doc, count: number): Uint8Array[] {
  const updates: Uint8Array[] = [];
  const onUpdate = (update: Uint8Array): void => void updates.push(update);
  doc.on('update', onUpdate);
  for (let i = 0; i < count; i++) doc.getText('t').insert(doc.getText('t').length, String(i % 10));
  doc.off('update', onUpdate);
  return updates;
}

describe('HeldUpdates in a hot room', () => {
  it("sends each receiver the window's updates as ONE merged sync update, in the same write as its presence, and the receiver converges", async () => {
    const [ada, bob, eve] = [new WritesPeer('ada'), new WritesPeer('bob'), new WritesPeer('eve')];
    const room = hotRoom([ada, bob, eve], 100);
    move(room.awareness, ada, 1, 1); // opens a window: the next send waits for its end
    await waitFor(() => eve.writes.length === 1, { message: 'first presence sent' });

    const adaDoc = new Y.Doc();
    const bobDoc = new Y.Doc();
    const fromAda = typeInto(adaDoc, 4);
    const fromBob = typeInto(bobDoc, 3);
    for (const update of fromAda) room.update(update, ada);
    for (const update of fromBob) room.update(update, bob);
    move(room.awareness, bob, 2, 1);
    expect(eve.writes).toHaveLength(1); // held until the window ends

    await waitFor(() => eve.writes.length === 2, { message: 'the window sent' });
    const [write] = eve.writes.slice(1);
    expect(write!.map((message) => message[0])).toEqual([MessageType.sync, MessageType.awareness]);
    const eveDoc = new Y.Doc();
    Y.applyUpdate(eveDoc, updateIn(write![0]!));
    const expected = new Y.Doc();
    for (const update of [...fromAda, ...fromBob]) Y.applyUpdate(expected, update);
    expect(eveDoc.getText('t').toString()).toBe(expected.getText('t').toString());
    expect(eveDoc.getText('t').length).toBe(7);
    room.awareness.destroy();
  });

  it("never sends a sender its own updates: it gets the others' merged, or only the presence", async () => {
    const [ada, bob, eve] = [new WritesPeer('ada'), new WritesPeer('bob'), new WritesPeer('eve')];
    const room = hotRoom([ada, bob, eve], 100);
    move(room.awareness, eve, 3, 1);
    await waitFor(() => ada.writes.length === 1, { message: 'first presence sent' });
    const adaDoc = new Y.Doc();
    const fromAda = typeInto(adaDoc, 2);
    for (const update of fromAda) room.update(update, ada);
    move(room.awareness, eve, 3, 2);
    await waitFor(() => bob.writes.length === 2, { message: 'the window sent' });
    expect(ada.writes[1]!.map((message) => message[0])).toEqual([MessageType.awareness]);
    expect(bob.writes[1]!.map((message) => message[0])).toEqual([MessageType.sync, MessageType.awareness]);
    // eve changed only its own presence: it gets the update alone.
    expect(eve.writes.at(-1)!.map((message) => message[0])).toEqual([MessageType.sync]);
    room.awareness.destroy();
  });

  it('sends held updates at the end of the window even when no presence changed', async () => {
    const [ada, eve] = [new WritesPeer('ada'), new WritesPeer('eve')];
    const room = hotRoom([ada, eve], 50);
    const adaDoc = new Y.Doc();
    const [first, second] = typeInto(adaDoc, 2);
    room.update(first!, ada);
    await waitFor(() => eve.writes.length === 1, { message: 'first update sent' });
    room.update(second!, ada);
    await waitFor(() => eve.writes.length === 2, { message: 'second update sent after the window' });
    const eveDoc = new Y.Doc();
    for (const write of eve.writes) Y.applyUpdate(eveDoc, updateIn(write[0]!));
    expect(eveDoc.getText('t').toString()).toBe('01');
    expect(ada.writes).toEqual([]);
  });
});
