import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { RemoteInbox, type InboxQueue } from './remote-inbox.js';

const logger = pino({ level: 'silent' });

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

interface Recorder {
  queue: InboxQueue<number>;
  /** Each turn's batch as applied. */
  batches: number[][];
  overflows: number;
}

function record(inbox: RemoteInbox, name: string, apply?: (batch: number[], deadline: number) => number): Recorder {
  const recorder: Recorder = { queue: null as unknown as InboxQueue<number>, batches: [], overflows: 0 };
  recorder.queue = inbox.createQueue<number>({
    name,
    apply: (batch, deadline) => {
      const applied = apply ? apply(batch, deadline) : batch.length;
      recorder.batches.push(batch.slice(0, applied));
      return applied;
    },
    onOverflow: () => recorder.overflows++,
  });
  return recorder;
}

async function drain(inbox: RemoteInbox, recorders: Recorder[]): Promise<void> {
  for (let turns = 0; recorders.some((r) => r.queue.size > 0); turns++) {
    if (turns > 10_000) throw new Error('inbox never drained');
    await nextTurn();
  }
  void inbox;
}

describe('RemoteInbox', () => {
  it('applies at most maxMessagesPerTurn and maxBytesPerTurn of a document per turn, a larger message alone, in order', async () => {
    const inbox = new RemoteInbox({ logger, maxMessagesPerTurn: 4, maxBytesPerTurn: 100 });
    const doc = record(inbox, 'doc');
    const sizes = [10, 10, 10, 10, 10, 60, 60, 500, 1, 1];
    sizes.forEach((bytes, i) => doc.queue.push(i, bytes));
    await drain(inbox, [doc]);
    expect(doc.batches).toEqual([[0, 1, 2, 3], [4, 5], [6], [7], [8, 9]]);
    expect(doc.queue.bytes).toBe(0);
  });

  it("a flooded document's backlog does not delay a quiet document past the first turn", async () => {
    const inbox = new RemoteInbox({ logger, maxMessagesPerTurn: 64 });
    const flood = record(inbox, 'flood');
    const quiet = record(inbox, 'quiet');
    for (let i = 0; i < 5_000; i++) flood.queue.push(i, 100);
    quiet.queue.push(1, 100);
    await nextTurn();
    expect(quiet.batches).toEqual([[1]]);
    expect(flood.batches).toHaveLength(1);
    // Later arrivals in the quiet document also wait one turn at most.
    quiet.queue.push(2, 100);
    await nextTurn();
    expect(quiet.batches).toEqual([[1], [2]]);
    await drain(inbox, [flood]);
    expect(flood.batches.flat()).toEqual(Array.from({ length: 5_000 }, (_, i) => i));
    expect(Math.max(...flood.batches.map((batch) => batch.length))).toBe(64);
  });

  it('a batch that stops at its deadline hands the rest over again next turn, first', async () => {
    const inbox = new RemoteInbox({ logger, maxMessagesPerTurn: 10 });
    // Applies two per turn, as a slow document would before its deadline.
    const slow = record(inbox, 'slow', () => 2);
    for (let i = 0; i < 7; i++) slow.queue.push(i, 1);
    await drain(inbox, [slow]);
    expect(slow.batches).toEqual([[0, 1], [2, 3], [4, 5], [6]]);
  });

  it('the default deadline is a few milliseconds from the start of the batch', async () => {
    const inbox = new RemoteInbox({ logger });
    let budget = 0;
    const doc = record(inbox, 'doc', (batch, deadline) => {
      budget = deadline - performance.now();
      return batch.length;
    });
    doc.queue.push(1, 1);
    await drain(inbox, [doc]);
    expect(budget).toBeGreaterThan(0);
    expect(budget).toBeLessThanOrEqual(5);
  });

  it('holds messages while paused and applies them once resumed', async () => {
    const inbox = new RemoteInbox({ logger });
    const doc = record(inbox, 'doc');
    doc.queue.pause();
    doc.queue.push(1, 1);
    doc.queue.push(2, 1);
    await nextTurn();
    await nextTurn();
    expect(doc.batches).toEqual([]);
    doc.queue.resume();
    await drain(inbox, [doc]);
    expect(doc.batches).toEqual([[1, 2]]);
  });

  it('drops and reports what arrives past the queue bounds (the owner resynchronises instead)', async () => {
    const inbox = new RemoteInbox({ logger, maxQueuedMessages: 3, maxQueuedBytes: 1_000 });
    const doc = record(inbox, 'doc');
    expect([1, 2, 3, 4].map((i) => doc.queue.push(i, 10))).toEqual([true, true, true, false]);
    expect(doc.queue.push(5, 10)).toBe(false);
    expect(doc.overflows).toBe(2);
    await drain(inbox, [doc]);
    expect(doc.queue.push(6, 2_000)).toBe(false);
    expect(doc.overflows).toBe(3);
    expect(doc.batches.flat()).toEqual([1, 2, 3]);
  });

  it('a document whose apply throws does not stop the others; a closed queue takes nothing more', async () => {
    const inbox = new RemoteInbox({ logger });
    const broken = record(inbox, 'broken', () => {
      throw new Error('boom');
    });
    const fine = record(inbox, 'fine');
    broken.queue.push(1, 1);
    fine.queue.push(2, 1);
    await drain(inbox, [broken, fine]);
    expect(fine.batches).toEqual([[2]]);
    fine.queue.close();
    expect(fine.queue.push(3, 1)).toBe(false);
    await nextTurn();
    expect(fine.batches).toEqual([[2]]);
  });
});
