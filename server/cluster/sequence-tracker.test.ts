import { describe, expect, it } from 'vitest';
import { SequenceCounter } from './sequence-counter.js';
import { SequenceTracker, type SequenceVerdict } from './sequence-tracker.js';
import { seededRandom, type SeededRandom } from '../test-support/seeded-random.js';

interface Sent {
  topic: string;
  sender: string;
  seq: number;
  /** Index of this message within its (topic, sender) stream. */
  index: number;
}

/**
 * Several senders publish on several topics, numbered by real SequenceCounters (so a topic's
 * numbers do not start at 0). Returns each (topic, sender) stream in send order.
 */
function sendStreams(random: SeededRandom, senders: string[], topics: string[], messages: number): Map<string, Sent[]> {
  const counters = new Map(senders.map((sender) => [sender, new SequenceCounter()]));
  const streams = new Map<string, Sent[]>();
  for (let i = 0; i < messages; i++) {
    const sender = random.pick(senders);
    const topic = random.pick(topics);
    const key = `${topic}/${sender}`;
    const stream = streams.get(key) ?? [];
    streams.set(key, stream);
    stream.push({ topic, sender, seq: counters.get(sender)!.next(topic), index: stream.length });
  }
  return streams;
}

/** Merges streams in a random order that keeps each stream's own order. */
function interleave<T>(random: SeededRandom, streams: T[][]): T[] {
  const queues = streams.map((stream) => [...stream]).filter((queue) => queue.length > 0);
  const merged: T[] = [];
  while (queues.length > 0) {
    const at = random.int(queues.length);
    merged.push(queues[at]!.shift()!);
    if (queues[at]!.length === 0) queues.splice(at, 1);
  }
  return merged;
}

describe('SequenceTracker', () => {
  it('classifies first, in-order, gap and duplicate per (topic, sender)', () => {
    const tracker = new SequenceTracker();
    expect(tracker.observe('doc', 'a', 10)).toBe('first');
    expect(tracker.observe('doc', 'a', 11)).toBe('in-order');
    expect(tracker.observe('doc', 'b', 11)).toBe('first');
    expect(tracker.observe('other', 'a', 12)).toBe('first');
    expect(tracker.observe('doc', 'a', 14)).toBe('gap');
    expect(tracker.observe('doc', 'a', 15)).toBe('in-order');
    expect(tracker.observe('doc', 'a', 12)).toBe('duplicate');
    expect(tracker.observe('doc', 'a', 15)).toBe('duplicate');
    expect(tracker.observe('doc', 'a', 16)).toBe('in-order');
  });

  it('keeps pairs apart whose topic and sender concatenate alike', () => {
    const tracker = new SequenceTracker();
    expect(tracker.observe('bc', 'a', 5)).toBe('first');
    expect(tracker.observe('c', 'ab', 9)).toBe('first');
    expect(tracker.observe('bc', 'a', 6)).toBe('in-order');
  });

  it('refuses a seq that is not a non-negative integer', () => {
    const tracker = new SequenceTracker();
    for (const seq of [-1, 1.5, Number.NaN, 2 ** 53]) expect(() => tracker.observe('t', 's', seq)).toThrow(TypeError);
  });

  it('seeded drops: a gap is reported exactly at each delivered message whose predecessor was dropped', () => {
    for (let seed = 1; seed <= 25; seed++) {
      const random = seededRandom(seed);
      const streams = sendStreams(random, ['s1', 's2', 's3', 's4'], ['a', 'b', 'c'], 2_000);
      const dropRate = [0.05, 0.3, 0.7][seed % 3]!;
      const dropped = new Set<Sent>();
      for (const stream of streams.values()) for (const message of stream) if (random.next() < dropRate) dropped.add(message);
      const delivered = interleave(random, [...streams.values()].map((stream) => stream.filter((message) => !dropped.has(message))));

      const tracker = new SequenceTracker();
      const seen = new Set<string>();
      const actual: SequenceVerdict[] = [];
      const expected: SequenceVerdict[] = [];
      for (const message of delivered) {
        const key = `${message.topic}/${message.sender}`;
        const stream = streams.get(key)!;
        const predecessor = stream[message.index - 1];
        expected.push(!seen.has(key) ? 'first' : predecessor && dropped.has(predecessor) ? 'gap' : 'in-order');
        seen.add(key);
        actual.push(tracker.observe(message.topic, message.sender, message.seq));
      }
      expect(actual, `seed ${seed}`).toEqual(expected);
      expect(actual.filter((verdict) => verdict === 'gap').length, `seed ${seed}`).toBeGreaterThan(0);
    }
  });

  it('seeded drops, swaps and redeliveries: a late or repeated message is a duplicate, a jump past the highest seen a gap', () => {
    for (let seed = 100; seed < 120; seed++) {
      const random = seededRandom(seed);
      const streams = sendStreams(random, ['s1', 's2', 's3'], ['a', 'b'], 1_500);
      const perturbed = [...streams.values()].map((stream) => {
        const out: Sent[] = [];
        for (const message of stream) {
          const roll = random.next();
          if (roll < 0.15) continue; // dropped
          out.push(message);
          if (roll < 0.2 && out.length > 1) out.push(out[random.int(out.length - 1)]!); // an earlier one again
          if (roll > 0.95 && out.length > 1) out.splice(-2, 2, out.at(-1)!, out.at(-2)!); // swapped with the previous
        }
        return out;
      });
      const delivered = interleave(random, perturbed);
      const tracker = new SequenceTracker();
      const highest = new Map<string, number>();
      for (const message of delivered) {
        const key = `${message.topic}/${message.sender}`;
        const top = highest.get(key);
        const expected: SequenceVerdict =
          top === undefined ? 'first' : message.seq <= top ? 'duplicate' : message.seq === top + 1 ? 'in-order' : 'gap';
        expect(tracker.observe(message.topic, message.sender, message.seq), `seed ${seed} ${key} seq ${message.seq}`).toBe(expected);
        highest.set(key, Math.max(top ?? -1, message.seq));
      }
    }
  });

  it('forgets senders not heard from for idleMs; they read as first again', () => {
    let now = 0;
    const tracker = new SequenceTracker({ idleMs: 1_000, now: () => now });
    tracker.observe('doc', 'quiet', 1);
    now = 500;
    tracker.observe('doc', 'busy', 1);
    now = 1_200;
    expect(tracker.observe('doc', 'busy', 2)).toBe('in-order');
    expect(tracker.size).toBe(1);
    expect(tracker.observe('doc', 'quiet', 2)).toBe('first');
  });

  it('keeps at most maxEntries pairs, dropping the least recently heard', () => {
    const tracker = new SequenceTracker({ maxEntries: 3 });
    tracker.observe('t', 'a', 1);
    tracker.observe('t', 'b', 1);
    tracker.observe('t', 'c', 1);
    tracker.observe('t', 'a', 2); // a is now the most recent; b the least
    tracker.observe('t', 'd', 1);
    expect(tracker.size).toBe(3);
    expect(tracker.observe('t', 'a', 3)).toBe('in-order');
    expect(tracker.observe('t', 'b', 2)).toBe('first');
    for (let i = 0; i < 10_000; i++) tracker.observe(`doc-${i}`, 'x', i);
    expect(tracker.size).toBe(3);
  });

  it('forgetSender, forgetTopic and reset drop exactly what they name', () => {
    const tracker = new SequenceTracker();
    for (const topic of ['a', 'b']) for (const sender of ['s', 't']) tracker.observe(topic, sender, 1);
    tracker.forgetSender('s');
    expect(tracker.size).toBe(2);
    expect(tracker.observe('a', 't', 2)).toBe('in-order');
    tracker.forgetTopic('a');
    expect(tracker.size).toBe(1);
    expect(tracker.observe('b', 't', 2)).toBe('in-order');
    tracker.reset();
    expect(tracker.size).toBe(0);
    expect(tracker.observe('b', 't', 3)).toBe('first');
  });
});

describe('SequenceCounter', () => {
  it('numbers each topic consecutively', () => {
    const counter = new SequenceCounter();
    const a = [counter.next('a'), counter.next('a'), counter.next('a')];
    counter.next('b');
    a.push(counter.next('a'));
    expect(a.map((seq) => seq - a[0]!)).toEqual([0, 1, 2, 3]);
  });

  it('a topic forgotten and started again reads as a gap to a receiver that remembers it, never as duplicates', () => {
    const counter = new SequenceCounter();
    const tracker = new SequenceTracker();
    for (let i = 0; i < 50; i++) tracker.observe('doc', 'me', counter.next('doc'));
    counter.next('other');
    counter.forget('doc');
    expect(counter.topics).toBe(1);
    expect(tracker.observe('doc', 'me', counter.next('doc'))).toBe('gap');
    expect(tracker.observe('doc', 'me', counter.next('doc'))).toBe('in-order');
  });

  it('a restarted topic numbers above its old numbers even when nothing else was sent meanwhile', () => {
    const counter = new SequenceCounter();
    const old = [counter.next('doc'), counter.next('doc')];
    counter.forget('doc');
    expect(counter.next('doc')).toBeGreaterThan(Math.max(...old));
  });
});
