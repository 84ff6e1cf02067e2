/**
 * The contract every PubSub must meet, as a reusable vitest suite: the in-process hub and Redis
 * run the same tests. "Nothing else arrived" is proven without sleeping: after the messages under
 * test, the same publisher sends a sentinel, and per-publisher order means that once the sentinel
 * is in, anything that was going to arrive before it has.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PubSub, PubSubHandler } from './pubsub.js';
import { PubSubError } from './pubsub-error.js';
import { seededRandom } from '../test-support/seeded-random.js';
import { waitFor } from '../test-support/wait-for.js';

export interface PubSubHarness {
  /** A new member with its own connections to the shared broker; the harness closes it. */
  member(): Promise<PubSub>;
  /** Take the broker away and bring it back (required when the suite runs with outages). */
  interrupt?(): Promise<void>;
  restore?(): Promise<void>;
  dispose(): Promise<void>;
}

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (payload: Uint8Array): string => new TextDecoder().decode(payload);

interface Inbox {
  readonly received: Uint8Array[];
  readonly texts: string[];
  readonly handler: PubSubHandler;
}

function inbox(): Inbox {
  const received: Uint8Array[] = [];
  return {
    received,
    get texts() {
      return received.map(text);
    },
    // Copied: the contract lets implementations share one buffer between handlers.
    handler: (payload) => received.push(Uint8Array.from(payload)),
  };
}

async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  const error = await promise.then(
    () => null,
    (rejection: unknown) => rejection,
  );
  expect(error, `expected a rejection with code ${code}`).toBeInstanceOf(PubSubError);
  expect((error as PubSubError).code).toBe(code);
}

export function runPubSubContract(
  name: string,
  createHarness: () => Promise<PubSubHarness>,
  { outages }: { outages: boolean },
): void {
  describe(`PubSub contract: ${name}`, () => {
    let harness: PubSubHarness;
    let a: PubSub;
    let b: PubSub;

    beforeEach(async () => {
      harness = await createHarness();
      a = await harness.member();
      b = await harness.member();
    });

    afterEach(async () => {
      await harness.dispose();
    });

    /** Publishes one sentinel on `topic` from `from`, waits until every box has it, removes it. */
    async function flush(from: PubSub, topic: string, ...boxes: Inbox[]): Promise<void> {
      const marker = `sentinel-${Math.random()}`;
      await from.publish(topic, bytes(marker));
      await waitFor(() => boxes.every((box) => box.texts.includes(marker)), { message: `sentinel on ${topic}` });
      for (const box of boxes) box.received.splice(box.texts.indexOf(marker), 1);
    }

    it('is healthy once created', () => {
      expect(a.isHealthy).toBe(true);
      expect(b.isHealthy).toBe(true);
    });

    it('delivers a message once to every subscription of its topic, in other members and in the publisher', async () => {
      const c = await harness.member();
      const own = inbox();
      const other1 = inbox();
      const other2 = inbox();
      const elsewhere = inbox();
      await a.subscribe('doc', own.handler);
      await b.subscribe('doc', other1.handler);
      await b.subscribe('doc', other2.handler);
      await c.subscribe('doc-2', elsewhere.handler);
      await a.publish('doc', bytes('hello'));
      await waitFor(() => own.received.length + other1.received.length + other2.received.length === 3, { message: 'three copies' });
      await flush(a, 'doc', own, other1, other2);
      await flush(a, 'doc-2', elsewhere);
      expect([own.texts, other1.texts, other2.texts, elsewhere.texts]).toEqual([['hello'], ['hello'], ['hello'], []]);
    });

    it('delivers every message published after subscribe resolved, in publish order', async () => {
      const box = inbox();
      await b.subscribe('ordered', box.handler);
      const sent = Array.from({ length: 200 }, (_, i) => `m${i}`);
      // Not awaited one by one: publish order is call order, even with many in flight.
      await Promise.all(sent.map((message) => a.publish('ordered', bytes(message))));
      await waitFor(() => box.received.length === sent.length, { message: '200 messages' });
      expect(box.texts).toEqual(sent);
    });

    it('delivers nothing to a subscription after its unsubscribe resolved; the topic\'s other subscriptions keep receiving', async () => {
      const gone = inbox();
      const kept = inbox();
      const unsubscribe = await b.subscribe('t', gone.handler);
      await b.subscribe('t', kept.handler);
      await a.publish('t', bytes('before'));
      await waitFor(() => gone.received.length === 1 && kept.received.length === 1, { message: 'first message' });
      await unsubscribe();
      await unsubscribe(); // idempotent
      await a.publish('t', bytes('after'));
      await flush(a, 't', kept);
      expect(kept.texts).toEqual(['before', 'after']);
      expect(gone.texts).toEqual(['before']);
    });

    it('calls no handler after its unsubscribe was called, even for a message already on its way', async () => {
      const gone = inbox();
      const kept = inbox();
      let unsubscribed = false;
      let callsAfterUnsubscribe = 0;
      const unsubscribe = await b.subscribe('t', (payload, topic) => {
        if (unsubscribed) callsAfterUnsubscribe++;
        gone.handler(payload, topic);
      });
      await b.subscribe('t', kept.handler);
      // Not awaited before unsubscribing: the message is in flight when unsubscribe is called.
      const published = a.publish('t', bytes('in flight'));
      unsubscribed = true;
      const removed = unsubscribe();
      await Promise.all([published, removed]);
      await flush(a, 't', kept);
      expect(kept.texts).toEqual(['in flight']);
      expect(callsAfterUnsubscribe).toBe(0);
    });

    it('delivers nothing on a topic whose last subscription is gone', async () => {
      const gone = inbox();
      const sentinel = inbox();
      const unsubscribe = await b.subscribe('t', gone.handler);
      await b.subscribe('t-sentinel', sentinel.handler);
      await unsubscribe();
      await a.publish('t', bytes('after'));
      await flush(a, 't-sentinel', sentinel);
      expect(gone.received).toEqual([]);
      // Subscribing again works and receives new messages only.
      const again = inbox();
      await b.subscribe('t', again.handler);
      await a.publish('t', bytes('again'));
      await flush(a, 't', again);
      expect(again.texts).toEqual(['again']);
    });

    it('never crosses topics whose names look alike, contain pattern characters or look encoded', async () => {
      const topics = ['doc', 'Doc', 'DOC', 'doc*', 'do?', '*', '?', '[doc]', 'doc.1', 'doc-1', 'doc_1', 'doc1', 'doc:1', 'doc/1', 'ZG9j', 'ZG9j=', 'tandem:ps:doc', 'a'.repeat(256)];
      const boxes = new Map(topics.map((topic) => [topic, inbox()]));
      for (const [topic, box] of boxes) await b.subscribe(topic, box.handler);
      for (const topic of topics) await a.publish(topic, bytes(topic));
      await waitFor(() => [...boxes.values()].every((box) => box.received.length >= 1), { message: 'one message per topic' });
      for (const [topic, box] of boxes) await flush(a, topic, box);
      for (const [topic, box] of boxes) expect(box.texts, topic).toEqual([topic]);
    });

    it('carries binary payloads byte for byte: every byte value, empty, 1 MiB, and a view into a larger buffer', async () => {
      const box = inbox();
      await b.subscribe('bin', box.handler);
      const random = seededRandom(42);
      const large = Uint8Array.from({ length: 1024 * 1024 }, () => random.int(256));
      const allBytes = Uint8Array.from({ length: 256 }, (_, i) => i);
      const backing = Uint8Array.from([0xde, 0xad, 1, 2, 3, 0xbe, 0xef]);
      const view = backing.subarray(2, 5);
      const payloads = [allBytes, new Uint8Array(0), large, view, bytes('\r\n$-1\r\n*3\r\n')];
      for (const payload of payloads) await a.publish('bin', payload);
      await waitFor(() => box.received.length === payloads.length, { message: 'binary payloads' });
      box.received.forEach((payload, i) => expect(Buffer.from(payload).equals(Buffer.from(payloads[i]!)), `payload ${i}`).toBe(true));
      expect([...box.received[3]!]).toEqual([1, 2, 3]);
    });

    it('rejects topics that are empty, too long or not printable ASCII with invalid-topic', async () => {
      for (const topic of ['', 'a b', 'é', 'x'.repeat(257), 'a\nb', 'a\0b', '\ud800']) {
        await expectCode(a.publish(topic, bytes('x')), 'invalid-topic');
        await expectCode(a.subscribe(topic, () => undefined), 'invalid-topic');
      }
    });

    it('keeps delivering to other handlers and later messages when a handler throws', async () => {
      const box = inbox();
      let calls = 0;
      await b.subscribe('throws', () => {
        calls++;
        throw new Error('handler bug');
      });
      await b.subscribe('throws', box.handler);
      await a.publish('throws', bytes('one'));
      await a.publish('throws', bytes('two'));
      await waitFor(() => box.received.length === 2, { message: 'both messages' });
      expect(box.texts).toEqual(['one', 'two']);
      expect(calls).toBe(2);
    });

    it('close is idempotent; afterwards the member is unhealthy, refuses calls with closed and receives nothing', async () => {
      const closed = inbox();
      const open = inbox();
      await b.subscribe('t', closed.handler);
      await a.subscribe('t', open.handler);
      const first = b.close();
      const second = b.close();
      await Promise.all([first, second]);
      await b.close();
      expect(b.isHealthy).toBe(false);
      await expectCode(b.publish('t', bytes('x')), 'closed');
      await expectCode(b.subscribe('t', () => undefined), 'closed');
      await a.publish('t', bytes('after close'));
      await flush(a, 't', open);
      expect(open.texts).toEqual(['after close']);
      expect(closed.received).toEqual([]);
    });

    // Registered only where the harness can take the broker away (not the machine's shared Redis).
    if (outages) it('when the broker is away: unhealthy and refusing with unavailable; when back: onReconnect fires and old subscriptions receive again', async () => {
      if (!harness.interrupt || !harness.restore) throw new Error(`${name}: outages requested but the harness cannot interrupt`);
      const box = inbox();
      await b.subscribe('survives', box.handler);
      const reconnects = { a: 0, b: 0, removed: 0 };
      a.onReconnect(() => reconnects.a++);
      b.onReconnect(() => reconnects.b++);
      const remove = b.onReconnect(() => reconnects.removed++);
      remove();

      await harness.interrupt();
      await waitFor(() => !a.isHealthy && !b.isHealthy, { message: 'members notice the outage' });
      await expectCode(a.publish('survives', bytes('lost')), 'unavailable');
      await expectCode(b.subscribe('new-topic', () => undefined), 'unavailable');
      expect(reconnects).toEqual({ a: 0, b: 0, removed: 0 });

      await harness.restore();
      await waitFor(() => reconnects.a === 1 && reconnects.b === 1, { timeoutMs: 15_000, message: 'onReconnect in both members' });
      expect(a.isHealthy && b.isHealthy).toBe(true);
      await a.publish('survives', bytes('after'));
      await waitFor(() => box.received.length === 1, { message: 'delivery after reconnect' });
      expect(box.texts).toEqual(['after']);
      expect(reconnects).toEqual({ a: 1, b: 1, removed: 0 });
    });
  });
}
