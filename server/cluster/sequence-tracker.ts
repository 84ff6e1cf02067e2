/**
 * The receiving side of gap detection: per (topic, sender), the seq expected next.
 *
 *   'first'      nothing known about this sender on this topic: nothing to compare with. A
 *                caller that was already live on the topic cannot tell whether it missed
 *                something, and should treat it like a gap (ask for a sync).
 *   'in-order'   the expected seq.
 *   'gap'        higher than expected: messages were lost (pub/sub delivers at most once).
 *   'duplicate'  lower than expected: already seen or overtaken; drop it.
 *
 * Memory is bounded: entries not heard from for `idleMs` are forgotten, and past `maxEntries`
 * the least recently heard goes. Senders send heartbeats more often than `idleMs`, so only gone
 * senders are forgotten. After a pub/sub reconnect everything is unknown again: `reset()`.
 */
export type SequenceVerdict = 'first' | 'in-order' | 'gap' | 'duplicate';

export interface SequenceTrackerOptions {
  /** Default 100,000 (topic, sender) pairs. */
  maxEntries?: number;
  /** Default 5 minutes. */
  idleMs?: number;
  now?: () => number;
}

interface Entry {
  readonly topic: string;
  readonly sender: string;
  expected: number;
  lastHeard: number;
}

export class SequenceTracker {
  /** Ordered by last heard, oldest first: each observe re-inserts its entry at the end. */
  readonly #entries = new Map<string, Entry>();
  readonly #maxEntries: number;
  readonly #idleMs: number;
  readonly #now: () => number;

  constructor(options: SequenceTrackerOptions = {}) {
    this.#maxEntries = options.maxEntries ?? 100_000;
    this.#idleMs = options.idleMs ?? 5 * 60_000;
    this.#now = options.now ?? Date.now;
    if (!(this.#maxEntries >= 1)) throw new TypeError('SequenceTracker: maxEntries must be at least 1');
  }

  observe(topic: string, sender: string, seq: number): SequenceVerdict {
    if (!Number.isSafeInteger(seq) || seq < 0) throw new TypeError(`SequenceTracker: seq must be a non-negative integer, got ${seq}`);
    const now = this.#now();
    this.#forgetIdle(now);
    // Length-prefixed, so no (topic, sender) pair can spell another's key.
    const key = `${sender.length}:${sender}${topic}`;
    const entry = this.#entries.get(key);
    if (!entry) {
      this.#entries.set(key, { topic, sender, expected: seq + 1, lastHeard: now });
      if (this.#entries.size > this.#maxEntries) this.#entries.delete(this.#entries.keys().next().value!);
      return 'first';
    }
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    entry.lastHeard = now;
    if (seq < entry.expected) return 'duplicate';
    const verdict = seq === entry.expected ? 'in-order' : 'gap';
    entry.expected = seq + 1;
    return verdict;
  }

  /** A sender left (or its `leave` arrived): drop it on every topic. */
  forgetSender(sender: string): void {
    for (const [key, entry] of this.#entries) if (entry.sender === sender) this.#entries.delete(key);
  }

  /** This member stopped following a topic (document unloaded). */
  forgetTopic(topic: string): void {
    for (const [key, entry] of this.#entries) if (entry.topic === topic) this.#entries.delete(key);
  }

  /** After a pub/sub reconnect: messages were lost unseen, so no expectation holds. */
  reset(): void {
    this.#entries.clear();
  }

  get size(): number {
    return this.#entries.size;
  }

  #forgetIdle(now: number): void {
    for (const [key, entry] of this.#entries) {
      if (now - entry.lastHeard <= this.#idleMs) return;
      this.#entries.delete(key);
    }
  }
}
