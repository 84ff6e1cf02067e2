import { afterEach, describe, expect, it } from 'vitest';
import { awarenessFrame } from '../test-support/awareness-frames.js';
import { waitFor } from '../test-support/wait-for.js';
import { connectPeerPair, countSocketWrites } from '../test-support/peer-pair.js';

// Root cause: every awareness message a stock client echoed back was judged by the room, which
// parsed every state in it, although it only repeats states the room sent at clocks it has passed.
describe('WebSocketPeer awareness echoes', () => {
  const closers: (() => void)[] = [];
  afterEach(() => {
    for (const close of closers.splice(0)) close();
  });

  /** A WebSocketPeer on a real socket pair: what it delivers to the room, what its client receives. */
  const connectedPeer = () => connectPeerPair(closers);

  it('drops an echo of an awareness message it sent, and delivers the next awareness message to the room', async () => {
    const { peer, client, delivered, received: echoed } = await connectedPeer();

    const sent = awarenessFrame([{ clientID: 9, clock: 3, state: { cursor: 1 } }]);
    peer.send(sent);
    await waitFor(() => echoed.length === 1, { message: 'client got the awareness message' });
    client.send(echoed[0]!);
    const own = awarenessFrame([{ clientID: 10, clock: 1, state: { cursor: 2 } }]);
    client.send(own);

    await waitFor(() => delivered.length > 0, { message: 'a message delivered to the room' });
    expect(delivered.map((message) => message.kind)).toEqual(['awareness']);
    expect(Buffer.from((delivered[0] as { update: Uint8Array }).update)).toEqual(Buffer.from(own.subarray(2)));
  });

  it('sends several messages in one write as separate frames (one message each for a stock client), and still drops the echo of the awareness among them', async () => {
    const { peer, client, delivered, received, serverSide } = await connectedPeer();
    // Counts the writes onto the TCP socket: the messages must leave in one.
    const counter = countSocketWrites(serverSide);
    const writesBefore = counter.socket.bytesWritten;

    const update = Uint8Array.from([0, 2, 2, 0, 0]);
    const presence = awarenessFrame([{ clientID: 9, clock: 3, state: { cursor: 1 } }]);
    peer.sendAll([update, presence]);
    await waitFor(() => received.length === 2, { message: 'client got both messages' });
    expect(received.map((data) => Buffer.from(data))).toEqual([Buffer.from(update), Buffer.from(presence)]);
    expect(counter.writes).toBe(1);
    expect(counter.socket.bytesWritten - writesBefore).toBe(update.length + 2 + presence.length + 2);

    client.send(received[1]!);
    const own = awarenessFrame([{ clientID: 10, clock: 1, state: { cursor: 2 } }]);
    client.send(own);
    await waitFor(() => delivered.length > 0, { message: 'a message delivered to the room' });
    expect(delivered.map((message) => message.kind)).toEqual(['awareness']);
    expect(Buffer.from((delivered[0] as { update: Uint8Array }).update)).toEqual(Buffer.from(own.subarray(2)));
  });

  it('keeps no echo record for a client that declared own-presence-only: a repeat of a sent message goes to the room', async () => {
    const { peer, client, delivered, received } = await connectPeerPair(closers, { sendsOwnPresenceOnly: true });

    const sent = awarenessFrame([{ clientID: 9, clock: 3, state: { cursor: 1 } }]);
    peer.send(sent);
    await waitFor(() => received.length === 1, { message: 'client got the awareness message' });
    client.send(received[0]!);

    // The room judges it (an old clock changes nothing there); the transport did not drop it as an echo.
    await waitFor(() => delivered.length > 0, { message: 'the repeat delivered to the room' });
    expect(delivered.map((message) => message.kind)).toEqual(['awareness']);
    expect(Buffer.from((delivered[0] as { update: Uint8Array }).update)).toEqual(Buffer.from(sent.subarray(2)));
  });
});
