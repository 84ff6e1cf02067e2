/**
 * Per-connection rate limits as token buckets (messages, bytes, awareness updates). A message
 * is always accepted and charged; when a bucket goes into debt the caller pauses reading from
 * the socket until it is paid back (TCP backpressure slows the sender, nothing is dropped).
 * A sender that has been held back for `closeAfterMs` without ever letting a bucket refill to
 * half, or whose debt alone would take longer than that to pay, is judged abusive; the caller
 * closes it.
 */
export interface ThrottleLimits {
  messagesPerSecond: number;
  bytesPerSecond: number;
  awarenessPerSecond: number;
  /** The byte bucket holds at least one largest message, so a big paste passes at once. */
  maxMessageBytes: number;
  closeAfterMs: number;
}

/** Bursts of this many seconds of the sustained rate pass unthrottled. */
const BURST_SECONDS = 2;
/** Reading resumes once this share of the burst has refilled, not at the first free token. */
const RESUME_FRACTION = 0.1;

/** Capacities (tokens) and refill rates (tokens per ms) of the three buckets. */
interface Buckets {
  messages: number;
  bytes: number;
  awareness: number;
  messagesPerMs: number;
  bytesPerMs: number;
  awarenessPerMs: number;
  closeAfterMs: number;
}

// Every connection of a server has the same limits: derive the bucket sizes once per limits object.
const bucketsByLimits = new WeakMap<ThrottleLimits, Buckets>();

function bucketsFor(limits: ThrottleLimits): Buckets {
  let buckets = bucketsByLimits.get(limits);
  if (!buckets) {
    buckets = {
      messages: limits.messagesPerSecond * BURST_SECONDS,
      bytes: Math.max(limits.bytesPerSecond * BURST_SECONDS, limits.maxMessageBytes),
      awareness: limits.awarenessPerSecond * BURST_SECONDS,
      messagesPerMs: limits.messagesPerSecond / 1000,
      bytesPerMs: limits.bytesPerSecond / 1000,
      awarenessPerMs: limits.awarenessPerSecond / 1000,
      closeAfterMs: limits.closeAfterMs,
    };
    bucketsByLimits.set(limits, buckets);
  }
  return buckets;
}

/** Milliseconds until a bucket at `level` is back to its resume level (0 when not in debt). */
function bucketWaitMs(level: number, capacity: number, perMs: number): number {
  if (level >= 0) return 0;
  return Math.ceil((-level + capacity * RESUME_FRACTION) / perMs);
}

const monotonicNow = (): number => performance.now();

/**
 * One per connection, so it is flat: the three bucket levels and one refill time (refilling all
 * three together gives the same levels as refilling each when used), sizes shared.
 */
export class InputThrottle {
  readonly #buckets: Buckets;
  readonly #now: () => number;
  #messages: number;
  #bytes: number;
  #awareness: number;
  #at: number;
  #throttledSince: number | null = null;

  constructor(limits: ThrottleLimits, now: () => number = monotonicNow) {
    this.#now = now;
    this.#buckets = bucketsFor(limits);
    this.#messages = this.#buckets.messages;
    this.#bytes = this.#buckets.bytes;
    this.#awareness = this.#buckets.awareness;
    this.#at = now();
  }

  /**
   * Charges one message; returns how long to stop reading (0: keep going). An `echo` (a message
   * that repeats what we sent, changing nothing) costs only its bytes.
   */
  charge(bytes: number, kind: 'awareness' | 'echo' | 'other'): number {
    // Called for every message: no allocation here.
    const now = this.#now();
    this.#refill(now);
    const b = this.#buckets;
    const bytesRested = this.#bytes >= b.bytes / 2;
    const messagesRested = kind === 'echo' || this.#messages >= b.messages / 2;
    const awarenessRested = kind !== 'awareness' || this.#awareness >= b.awareness / 2;
    if (bytesRested && messagesRested && awarenessRested) this.#throttledSince = null;
    this.#bytes -= bytes;
    if (kind !== 'echo') this.#messages -= 1;
    if (kind === 'awareness') this.#awareness -= 1;
    const wait = this.waitMs(now);
    if (wait > 0) this.#throttledSince ??= now;
    return wait;
  }

  #refill(now: number): void {
    const elapsed = now - this.#at;
    this.#at = now;
    if (elapsed <= 0) return;
    const b = this.#buckets;
    this.#messages = Math.min(b.messages, this.#messages + elapsed * b.messagesPerMs);
    this.#bytes = Math.min(b.bytes, this.#bytes + elapsed * b.bytesPerMs);
    this.#awareness = Math.min(b.awareness, this.#awareness + elapsed * b.awarenessPerMs);
  }

  /** How long reading should still wait, after refilling. */
  waitMs(now = this.#now()): number {
    this.#refill(now);
    const b = this.#buckets;
    return Math.max(
      bucketWaitMs(this.#messages, b.messages, b.messagesPerMs),
      bucketWaitMs(this.#bytes, b.bytes, b.bytesPerMs),
      bucketWaitMs(this.#awareness, b.awareness, b.awarenessPerMs),
    );
  }

  /**
   * True when every bucket is full and no throttling is under way: this throttle is then the same
   * as a new one, so a caller may drop it and make a new one at the next message.
   */
  get isRested(): boolean {
    this.#refill(this.#now());
    const b = this.#buckets;
    return this.#throttledSince === null && this.#messages === b.messages && this.#bytes === b.bytes && this.#awareness === b.awareness;
  }

  /**
   * True when the sender has been held back for longer than allowed without a break, or has
   * already sent more than that long's worth beyond its burst (a paused socket reads nothing, so
   * the first case alone would only be noticed after the debt is paid).
   */
  get isAbusive(): boolean {
    const now = this.#now();
    const closeAfterMs = this.#buckets.closeAfterMs;
    if (this.#throttledSince !== null && now - this.#throttledSince > closeAfterMs) return true;
    return this.waitMs(now) > closeAfterMs;
  }
}
