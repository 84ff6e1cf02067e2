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

class TokenBucket {
  readonly capacity: number;
  readonly perMs: number;
  level: number;
  #at: number;

  constructor(perSecond: number, capacity: number, now: number) {
    this.capacity = capacity;
    this.perMs = perSecond / 1000;
    this.level = capacity;
    this.#at = now;
  }

  refill(now: number): void {
    this.level = Math.min(this.capacity, this.level + (now - this.#at) * this.perMs);
    this.#at = now;
  }

  /** Milliseconds until the bucket is back to its resume level (0 when not in debt). */
  waitMs(): number {
    if (this.level >= 0) return 0;
    return Math.ceil((-this.level + this.capacity * RESUME_FRACTION) / this.perMs);
  }
}

const monotonicNow = (): number => performance.now();

export class InputThrottle {
  readonly #messages: TokenBucket;
  readonly #bytes: TokenBucket;
  readonly #awareness: TokenBucket;
  readonly #closeAfterMs: number;
  readonly #now: () => number;
  #throttledSince: number | null = null;

  constructor(limits: ThrottleLimits, now: () => number = monotonicNow) {
    this.#now = now;
    const t = now();
    this.#messages = new TokenBucket(limits.messagesPerSecond, limits.messagesPerSecond * BURST_SECONDS, t);
    this.#bytes = new TokenBucket(limits.bytesPerSecond, Math.max(limits.bytesPerSecond * BURST_SECONDS, limits.maxMessageBytes), t);
    this.#awareness = new TokenBucket(limits.awarenessPerSecond, limits.awarenessPerSecond * BURST_SECONDS, t);
    this.#closeAfterMs = limits.closeAfterMs;
  }

  /**
   * Charges one message; returns how long to stop reading (0: keep going). An `echo` (a message
   * that repeats what we sent, changing nothing) costs only its bytes.
   */
  charge(bytes: number, kind: 'awareness' | 'echo' | 'other'): number {
    // Called for every message: no allocation here.
    const now = this.#now();
    const bytesRested = this.#rested(this.#bytes, now);
    const messagesRested = kind === 'echo' || this.#rested(this.#messages, now);
    const awarenessRested = kind !== 'awareness' || this.#rested(this.#awareness, now);
    if (bytesRested && messagesRested && awarenessRested) this.#throttledSince = null;
    this.#bytes.level -= bytes;
    if (kind !== 'echo') this.#messages.level -= 1;
    if (kind === 'awareness') this.#awareness.level -= 1;
    const wait = this.waitMs(now);
    if (wait > 0) this.#throttledSince ??= now;
    return wait;
  }

  #rested(bucket: TokenBucket, now: number): boolean {
    bucket.refill(now);
    return bucket.level >= bucket.capacity / 2;
  }

  /** How long reading should still wait, after refilling. */
  waitMs(now = this.#now()): number {
    this.#messages.refill(now);
    this.#bytes.refill(now);
    this.#awareness.refill(now);
    return Math.max(this.#messages.waitMs(), this.#bytes.waitMs(), this.#awareness.waitMs());
  }

  /**
   * True when the sender has been held back for longer than allowed without a break, or has
   * already sent more than that long's worth beyond its burst (a paused socket reads nothing, so
   * the first case alone would only be noticed after the debt is paid).
   */
  get isAbusive(): boolean {
    const now = this.#now();
    if (this.#throttledSince !== null && now - this.#throttledSince > this.#closeAfterMs) return true;
    return this.waitMs(now) > this.#closeAfterMs;
  }
}
