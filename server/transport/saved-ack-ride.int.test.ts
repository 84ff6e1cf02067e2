import { afterEach, describe, expect, it } from 'vitest';
import { once } from 'node:events';
import { encodeSavedAck } from '../protocol/codec.js';
import { awarenessFrame } from '../test-support/awareness-frames.js';
import { waitFor } from '../test-support/wait-for.js';
import { connectPeerPair, countSocketWrites } from '../test-support/peer-pair.js';

const UPDATE = Uint8Array.from([0, 2, 2, 0, 0]);
const ack = (count: number): Buffer => Buffer.from(encodeSavedAck(count));
const activeTimeouts = (): number => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;

// Root cause: every saved ack was a socket write of its own (~10-15 µs of CPU each), although a
// writer in a shared document gets the others' edits a moment later anyway.
describe('WebSocketPeer saved acks', () => {
  const closers: (() => void)[] = [];
  afterEach(() => {
    for (const close of closers.splice(0)) close();
  });

  /** A saved-ack WebSocketPeer on a real socket pair, counting the writes onto its TCP socket. */
  async function connectedPeer(savedAckRideMs?: number) {
    const { peer, client, serverSide, received } = await connectPeerPair(closers, { wantsSaveAck: true, savedAckRideMs });
    const counter = countSocketWrites(serverSide);
    return { peer, client, received, counter };
  }

  it('sends an ack that is due first in the next message’s socket write, one ack with the highest count', async () => {
    const { peer, received, counter } = await connectedPeer();

    peer.sendSavedAck(2);
    peer.sendSavedAck(5);
    peer.sendSavedAck(3);
    peer.send(UPDATE);
    await waitFor(() => received.length === 2, { message: 'client got the ack and the update' });
    expect(received).toEqual([ack(5), Buffer.from(UPDATE)]);
    expect(counter.writes).toBe(1);

    // The same for several messages sent together.
    const presence = awarenessFrame([{ clientID: 9, clock: 3, state: { cursor: 1 } }]);
    peer.sendSavedAck(7);
    peer.sendAll([UPDATE, presence]);
    await waitFor(() => received.length === 5, { message: 'client got the ack and both messages' });
    expect(received.slice(2)).toEqual([ack(7), Buffer.from(UPDATE), Buffer.from(presence)]);
    expect(counter.writes).toBe(2);
  });

  it('sends an ack alone when nothing else is written to the peer', async () => {
    const { peer, received, counter } = await connectedPeer();

    peer.sendSavedAck(1);
    peer.sendSavedAck(4);
    await waitFor(() => received.length === 1, { timeoutMs: 2_000, message: 'the ack, alone' });
    expect(received).toEqual([ack(4)]);
    expect(counter.writes).toBe(1);

    // The peer keeps nothing of an ack once it left; the next one waits and leaves all the same.
    peer.sendSavedAck(6);
    await waitFor(() => received.length === 2, { timeoutMs: 2_000, message: 'the next ack, alone' });
    expect(received).toEqual([ack(4), ack(6)]);
    expect(counter.writes).toBe(2);
  });

  it('holds an ack with nothing to ride until its window is over, then sends it', async () => {
    const RIDE_MS = 300;
    const { peer, received } = await connectedPeer(RIDE_MS);

    const dueAt = performance.now();
    peer.sendSavedAck(3);
    await waitFor(() => received.length === 1, { timeoutMs: RIDE_MS + 2_000, message: 'the ack, once its window is over' });
    // A timer never fires early; how late it may be depends on the machine, so only the lower bound is exact.
    expect(performance.now() - dueAt).toBeGreaterThanOrEqual(RIDE_MS - 1);
    expect(received).toEqual([ack(3)]);
  });

  it('drops the timer of a waiting ack when the connection is terminated', async () => {
    const { peer } = await connectedPeer(60_000);
    const timersBefore = activeTimeouts();
    peer.sendSavedAck(2);
    expect(activeTimeouts()).toBe(timersBefore + 1);
    peer.terminate();
    expect(activeTimeouts()).toBe(timersBefore);
  });

  it('writes a waiting ack before the close frame, and leaves no timer behind', async () => {
    // A window longer than the test: the ack can only leave with the close, and its timer must go.
    const { peer, client, received } = await connectedPeer(60_000);
    const timersBefore = activeTimeouts();
    const closed = once(client, 'close') as Promise<[number, Buffer]>;

    peer.sendSavedAck(6);
    await peer.closeAndWait(1012, 'server restarting', 2_000);
    const [code] = await closed;
    expect(code).toBe(1012);
    expect(received).toEqual([ack(6)]);
    expect(activeTimeouts()).toBeLessThanOrEqual(timersBefore);
  });
});
