import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { MessageType } from '../../shared/protocol.js';
import type { RoomPeer } from './room-peer.js';
import { AwarenessBatch, PRESENCE_WINDOW_MS, presenceWindowMs } from './awareness-batch.js';
import { encodeAwarenessEntries } from './awareness-guard.js';
import { waitFor } from '../test-support/wait-for.js';
import { WritesPeer } from '../test-support/writes-peer.js';

/** A presence whose changes go through a batch; window 0 sends at the end of every turn. */
function presenceRoom(peers: WritesPeer[], windowMs = 0): awarenessProtocol.Awareness {
  const awareness = new awarenessProtocol.Awareness(new Y.Doc());
  awareness.setLocalState(null);
  const batch = new AwarenessBatch({ awareness, isDestroyed: false, peerCount: peers.length, peers }, () => windowMs);
  awareness.on('update', (change: { added: number[]; updated: number[]; removed: number[] }, origin: unknown) => batch.add(change, origin));
  return awareness;
}

const move = (awareness: awarenessProtocol.Awareness, peer: RoomPeer, clientID: number, clock: number, cursor: unknown): void =>
  awarenessProtocol.applyAwarenessUpdate(awareness, encodeAwarenessEntries([{ clientID, clock, state: { cursor } }]), peer);

const nextTick = (): Promise<void> => new Promise((resolve) => process.nextTick(resolve));

function idsIn(message: Uint8Array): number[] {
  const decoder = decoding.createDecoder(message);
  expect(decoding.readVarUint(decoder)).toBe(MessageType.awareness);
  const update = decoding.createDecoder(decoding.readVarUint8Array(decoder));
  return Array.from({ length: decoding.readVarUint(update) }, () => {
    const id = decoding.readVarUint(update);
    decoding.readVarUint(update);
    decoding.readVarString(update);
    return id;
  });
}

/** What a stock y-websocket client sends back after applying `message` (its awareness 'update' handler). */
function echoOf(client: awarenessProtocol.Awareness, message: Uint8Array): Uint8Array | null {
  let echo: Uint8Array | null = null;
  const onUpdate = ({ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] }): void => {
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MessageType.awareness);
    encoding.writeVarUint8Array(encoder, awarenessProtocol.encodeAwarenessUpdate(client, [...added, ...updated, ...removed]));
    echo = encoding.toUint8Array(encoder);
  };
  client.on('update', onUpdate);
  const decoder = decoding.createDecoder(message);
  decoding.readVarUint(decoder);
  awarenessProtocol.applyAwarenessUpdate(client, decoding.readVarUint8Array(decoder), 'server');
  client.off('update', onUpdate);
  return echo;
}

describe('AwarenessBatch', () => {
  it("sends each peer one message per turn with every changed state but its own", async () => {
    const [ada, bob, eve] = [new WritesPeer('ada'), new WritesPeer('bob'), new WritesPeer('eve')];
    const awareness = presenceRoom([ada, bob, eve]);
    move(awareness, ada, 1, 1, 'a1');
    move(awareness, bob, 2, 1, 'b1');
    move(awareness, ada, 1, 2, 'a2');
    expect(eve.sent).toEqual([]);
    await nextTick();
    expect(eve.sent.map(idsIn)).toEqual([[1, 2]]);
    expect(ada.sent.map(idsIn)).toEqual([[2]]);
    expect(bob.sent.map(idsIn)).toEqual([[1]]);
    awareness.destroy();
  });

  it('sends a peer whose client declared own-presence-only the same message object as everyone, its own state included', async () => {
    const [ada, bob, eve] = [new WritesPeer('ada', true), new WritesPeer('bob'), new WritesPeer('eve')];
    const awareness = presenceRoom([ada, bob, eve]);
    move(awareness, ada, 1, 1, 'a1');
    move(awareness, bob, 2, 1, 'b1');
    await nextTick();
    expect(eve.sent.map(idsIn)).toEqual([[1, 2]]);
    // One encoded message for Ada and Eve (framed once by the transport); Bob, a stock client, still gets his own.
    expect(ada.sent[0]).toBe(eve.sent[0]);
    expect(bob.sent.map(idsIn)).toEqual([[1]]);
    // A y-protocols client ignores its own state coming back: it has that clock already.
    const client = new awarenessProtocol.Awareness(new Y.Doc());
    client.clientID = 1;
    client.setLocalState({ cursor: 'a1' });
    const changes: unknown[] = [];
    client.on('change', (change: unknown) => changes.push(change));
    const decoder = decoding.createDecoder(ada.sent[0]!);
    decoding.readVarUint(decoder);
    awarenessProtocol.applyAwarenessUpdate(client, decoding.readVarUint8Array(decoder), 'server');
    expect(changes).toEqual([{ added: [2], updated: [], removed: [] }]);
    expect(client.getLocalState()).toEqual({ cursor: 'a1' });
    client.destroy();
    awareness.destroy();
  });

  it("orders a merged message so that a stock client's echo of it is byte-identical (added, then updated, then removed)", async () => {
    const [ada, bob, eve] = [new WritesPeer('ada'), new WritesPeer('bob'), new WritesPeer('eve')];
    const awareness = presenceRoom([ada, bob, eve]);
    move(awareness, ada, 1, 1, 'a1');
    move(awareness, ada, 3, 1, 'a3');
    await nextTick();
    const client = new awarenessProtocol.Awareness(new Y.Doc());
    echoOf(client, eve.sent[0]!);
    // One turn: an update of a known id first, then a new id, then a removal.
    move(awareness, ada, 1, 2, 'a1 moved');
    move(awareness, bob, 2, 1, 'b1');
    awarenessProtocol.applyAwarenessUpdate(awareness, encodeAwarenessEntries([{ clientID: 3, clock: 2, state: null }]), ada);
    await nextTick();
    const merged = eve.sent[1]!;
    expect(idsIn(merged)).toEqual([2, 1, 3]);
    expect(echoOf(client, merged)).toEqual(merged);
    client.destroy();
    awareness.destroy();
  });

  it('sends a room at most one presence message per window: changes within it wait for its end, together (new ids first)', async () => {
    const [ada, eve] = [new WritesPeer('ada'), new WritesPeer('eve')];
    const awareness = presenceRoom([ada, eve], 200);
    move(awareness, ada, 1, 1, 'a1');
    await nextTick();
    expect(eve.sent.map(idsIn)).toEqual([[1]]);
    move(awareness, ada, 1, 2, 'a2');
    await nextTick();
    move(awareness, ada, 3, 1, 'a3');
    await nextTick();
    expect(eve.sent).toHaveLength(1);
    await waitFor(() => eve.sent.length > 1, { message: 'the window’s changes sent' });
    expect(eve.sent.map(idsIn)).toEqual([[1], [3, 1]]);
    awareness.destroy();
  });

  it('grows the window with the room: 3.2 ms for 20 peers, 40 ms for 250, and no more than the 80 ms cap from 500 on', () => {
    expect(PRESENCE_WINDOW_MS).toBe(80);
    expect(presenceWindowMs(20)).toBe(3.2);
    expect(presenceWindowMs(250)).toBe(40);
    expect(presenceWindowMs(500)).toBe(PRESENCE_WINDOW_MS);
    expect(presenceWindowMs(1_000)).toBe(PRESENCE_WINDOW_MS);
    expect(presenceWindowMs(10_000)).toBe(PRESENCE_WINDOW_MS);
  });
});
