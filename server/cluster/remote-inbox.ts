/**
 * Messages from other members, waiting to be applied, one queue per document; shared by every
 * document of a member so no document can take over its event loop.
 *
 * Receiving only queues (the pub/sub handler stays cheap: Redis keeps reading its socket). Once
 * per turn (setImmediate, after I/O) each queue with work hands its oldest messages to its
 * `apply`: at most `maxMessagesPerTurn` and `maxBytesPerTurn` (a single larger message goes
 * alone), and `apply` stops once it has worked `maxMsPerTurn` (messages differ wildly in what
 * they cost to integrate). What is left waits for the next turn, behind every other document's
 * share: a flood in
 * one document delays a quiet one by about one bounded batch per busy document, not by the
 * flood. Order within a document is kept.
 *
 * A queue is bounded too: past `maxQueuedMessages` or `maxQueuedBytes` new messages are dropped
 * and the owner told (`onOverflow`), which resynchronises the document instead (a state vector
 * exchange), as after any lost message.
 */
import type { Logger } from 'pino';

export interface RemoteInboxLimits {
  /** Default 64. */
  maxMessagesPerTurn?: number;
  /** Default 256 KiB. */
  maxBytesPerTurn?: number;
  /** Time one document's batch may take; `apply` stops after the message that passes it. Default 5 ms. */
  maxMsPerTurn?: number;
  /** Default 10,000. */
  maxQueuedMessages?: number;
  /** Default 64 MiB. */
  maxQueuedBytes?: number;
}

export interface InboxQueueOptions<T> {
  /**
   * Applies one turn's batch, in arrival order, until `deadline` (performance.now()) has passed;
   * returns how many it applied (at least one; the rest are handed over again next turn).
   * Should not throw (a throw is logged, and the batch counts as applied).
   */
  apply: (batch: T[], deadline: number) => number;
  /** A message was dropped because the queue was full. */
  onOverflow: () => void;
  /** For log lines. */
  name: string;
}

export interface InboxQueue<T> {
  /** Queues `item` (counted as `bytes`); false when it was dropped (queue full or closed). */
  push(item: T, bytes: number): boolean;
  /** While paused (a document still loading), messages queue but are not applied. */
  pause(): void;
  resume(): void;
  /** Drops what is queued and refuses more. */
  close(): void;
  readonly size: number;
  readonly bytes: number;
}

/** What the inbox sees of a queue, whatever its item type. */
interface Scheduled {
  readonly isRunnable: boolean;
  readonly name: string;
  /** Applies this turn's share. */
  runTurn(maxMessages: number, maxBytes: number, deadline: number): void;
}

interface Entry<T> {
  readonly item: T;
  readonly bytes: number;
}

class Queue<T> implements InboxQueue<T>, Scheduled {
  readonly options: InboxQueueOptions<T>;
  readonly #inbox: RemoteInbox;
  entries: Entry<T>[] = [];
  /** Index of the first entry not yet applied (shifting arrays costs O(n) per message). */
  head = 0;
  queuedBytes = 0;
  paused = false;
  closed = false;

  constructor(inbox: RemoteInbox, options: InboxQueueOptions<T>) {
    this.#inbox = inbox;
    this.options = options;
  }

  get size(): number {
    return this.entries.length - this.head;
  }

  get isRunnable(): boolean {
    return !this.closed && !this.paused && this.size > 0;
  }

  get name(): string {
    return this.options.name;
  }

  runTurn(maxMessages: number, maxBytes: number, deadline: number): void {
    const start = this.head;
    const batch = this.take(maxMessages, maxBytes);
    try {
      const applied = Math.max(1, Math.min(batch.length, this.options.apply(batch, deadline)));
      if (applied < batch.length) this.giveBack(start + applied, batch.length - applied);
    } finally {
      this.compact();
    }
  }

  get bytes(): number {
    return this.queuedBytes;
  }

  push(item: T, bytes: number): boolean {
    if (this.closed) return false;
    if (this.size >= this.#inbox.limits.maxQueuedMessages || this.queuedBytes + bytes > this.#inbox.limits.maxQueuedBytes) {
      this.options.onOverflow();
      return false;
    }
    this.entries.push({ item, bytes });
    this.queuedBytes += bytes;
    if (!this.paused) this.#inbox.schedule(this);
    return true;
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    if (!this.paused || this.closed) return;
    this.paused = false;
    if (this.size > 0) this.#inbox.schedule(this);
  }

  close(): void {
    this.closed = true;
    this.entries = [];
    this.head = 0;
    this.queuedBytes = 0;
  }

  /** Takes this turn's share, oldest first (entries stay in place until the batch is done). */
  take(maxMessages: number, maxBytes: number): T[] {
    const batch: T[] = [];
    let bytes = 0;
    while (this.head < this.entries.length && batch.length < maxMessages) {
      const entry = this.entries[this.head]!;
      if (batch.length > 0 && bytes + entry.bytes > maxBytes) break;
      batch.push(entry.item);
      bytes += entry.bytes;
      this.head++;
    }
    this.queuedBytes -= bytes;
    return batch;
  }

  /** The last `count` taken entries (from index `from`) were not applied: they go first next turn. */
  giveBack(from: number, count: number): void {
    if (this.closed) return;
    this.head = from;
    for (let i = from; i < from + count; i++) this.queuedBytes += this.entries[i]!.bytes;
  }

  /** Drops applied entries now and then (shifting the array per message would cost O(n) each). */
  compact(): void {
    if (this.head === this.entries.length) {
      this.entries = [];
      this.head = 0;
    } else if (this.head > 1_024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }
}

export class RemoteInbox {
  readonly limits: Required<RemoteInboxLimits>;
  readonly #logger: Pick<Logger, 'error'>;
  /** Queues with work, in the order they got it; a queue with more left goes to the back. */
  #ready = new Set<Scheduled>();
  #turn: NodeJS.Immediate | null = null;
  #turns = 0;

  constructor(options: RemoteInboxLimits & { logger: Pick<Logger, 'error'> }) {
    this.limits = {
      maxMessagesPerTurn: options.maxMessagesPerTurn ?? 64,
      maxBytesPerTurn: options.maxBytesPerTurn ?? 256 * 1024,
      maxMsPerTurn: options.maxMsPerTurn ?? 5,
      maxQueuedMessages: options.maxQueuedMessages ?? 10_000,
      maxQueuedBytes: options.maxQueuedBytes ?? 64 * 1024 * 1024,
    };
    this.#logger = options.logger;
  }

  createQueue<T>(options: InboxQueueOptions<T>): InboxQueue<T> {
    return new Queue<T>(this, options);
  }

  /** Turns run so far (for tests). */
  get turns(): number {
    return this.#turns;
  }

  /** @internal */
  schedule(queue: Scheduled): void {
    this.#ready.add(queue);
    this.#turn ??= setImmediate(this.#runTurn);
  }

  /** Stops scheduling; queues keep their content (their owners close them). */
  close(): void {
    if (this.#turn) clearImmediate(this.#turn);
    this.#turn = null;
    this.#ready.clear();
  }

  readonly #runTurn = (): void => {
    this.#turn = null;
    this.#turns++;
    const queues = this.#ready;
    this.#ready = new Set();
    for (const queue of queues) {
      if (!queue.isRunnable) continue;
      try {
        queue.runTurn(this.limits.maxMessagesPerTurn, this.limits.maxBytesPerTurn, performance.now() + this.limits.maxMsPerTurn);
      } catch (error) {
        this.#logger.error({ doc: queue.name, err: error }, 'cluster: applying remote messages failed');
      }
      // Messages pushed during this turn already put the queue back in the (new) ready set.
      if (queue.isRunnable) this.#ready.add(queue);
    }
    if (this.#ready.size > 0) this.#turn ??= setImmediate(this.#runTurn);
  };
}
