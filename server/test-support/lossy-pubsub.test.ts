import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeClusterMessage, encodeClusterMessage, createMemberId } from '../cluster/cluster-message.js';
import { SequenceCounter } from '../cluster/sequence-counter.js';
import { SequenceTracker, type SequenceVerdict } from '../cluster/sequence-tracker.js';
import { createMemoryPubSub, createMemoryPubSubHub } from '../pubsub/memory-pubsub.js';
import type { PubSub } from '../pubsub/pubsub.js';
import { withLoss } from './lossy-pubsub.js';
import { waitFor } from './wait-for.js';

const logger = pino({ level: 'silent' });

describe('withLoss (lossy PubSub)', () => {
  const members: PubSub[] = [];
  afterEach(async () => {
    await Promise.all(members.splice(0).map((member) => member.close()));
  });

  function pair(dropRate: number, seed: number) {
    const hub = createMemoryPubSubHub();
    const sender = createMemoryPubSub({ hub, logger });
    const receiver = withLoss(createMemoryPubSub({ hub, logger }), { dropRate, seed });
    members.push(sender, receiver);
    return { sender, receiver };
  }

  /** Sends 0..count-1 and a final marker that is let through; returns the numbers that arrived. */
  async function arrivals(dropRate: number, seed: number, count: number): Promise<{ got: number[]; dropped: number; delivered: number }> {
    const { sender, receiver } = pair(dropRate, seed);
    const got: number[] = [];
    let done = false;
    await receiver.subscribe('t', (payload) => {
      if (payload.length === 0) done = true;
      else got.push(payload[0]! + 256 * payload[1]!);
    });
    for (let i = 0; i < count; i++) await sender.publish('t', Uint8Array.from([i % 256, i >> 8]));
    await waitFor(() => receiver.delivered + receiver.dropped === count, { message: 'all draws made' });
    receiver.dropRate = 0;
    await sender.publish('t', new Uint8Array(0));
    await waitFor(() => done, { message: 'end marker' });
    return { got, dropped: receiver.dropped, delivered: receiver.delivered - 1 };
  }

  it('drops about the given fraction, and what arrives is intact and in order', async () => {
    const { got, dropped } = await arrivals(0.3, 7, 2_000);
    expect(dropped).toBeGreaterThan(500);
    expect(dropped).toBeLessThan(700);
    expect(got.length + dropped).toBe(2_000);
    expect(got).toEqual([...got].sort((x, y) => x - y));
  });

  it('the same seed drops the same messages; another seed drops others', async () => {
    const first = await arrivals(0.5, 11, 300);
    const again = await arrivals(0.5, 11, 300);
    const other = await arrivals(0.5, 12, 300);
    expect(again.got).toEqual(first.got);
    expect(other.got).not.toEqual(first.got);
  });

  it('rate 0 delivers everything, rate 1 nothing', async () => {
    expect((await arrivals(0, 1, 200)).got).toHaveLength(200);
    expect((await arrivals(1, 1, 200)).got).toHaveLength(0);
  });

  it('with cluster envelopes and a SequenceTracker, the receiver notices a gap after every run of dropped messages', async () => {
    const { sender, receiver } = pair(0.2, 99);
    const me = createMemberId();
    const counter = new SequenceCounter();
    const tracker = new SequenceTracker();
    const verdicts: SequenceVerdict[] = [];
    const seqs: number[] = [];
    await receiver.subscribe('doc', (payload, topic) => {
      const message = decodeClusterMessage(payload);
      seqs.push(message.seq);
      verdicts.push(tracker.observe(topic, message.sender, message.seq));
    });
    const total = 1_000;
    for (let i = 0; i < total; i++) {
      await sender.publish('doc', encodeClusterMessage({ kind: 'heartbeat', sender: me, seq: counter.next('doc') }));
    }
    await waitFor(() => receiver.delivered + receiver.dropped === total, { message: 'all draws made' });
    // The losses, seen from the receiver: each jump between consecutive arrivals is one gap.
    const jumps = seqs.slice(1).filter((seq, i) => seq !== seqs[i]! + 1).length;
    expect(receiver.dropped).toBeGreaterThan(100);
    expect(verdicts[0]).toBe('first');
    expect(verdicts.filter((verdict) => verdict === 'gap')).toHaveLength(jumps);
    expect(verdicts.filter((verdict) => verdict === 'duplicate')).toHaveLength(0);
    expect(jumps).toBeGreaterThan(50);
  });
});
