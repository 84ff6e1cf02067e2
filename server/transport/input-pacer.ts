/**
 * When a peer's socket is read. Input is paused for several independent reasons (document still
 * loading, room queue full, rate limit, shutdown); reading resumes only when none holds. Rate
 * limits (auth/input-throttle.ts) never drop a message: they pause reading until the debt is paid,
 * and only a sender held back for too long is judged abusive, for the peer to close (4429).
 */
import { InputThrottle, type ThrottleLimits } from '../auth/input-throttle.js';

/** What is paused and resumed: a `ws` WebSocket, or an HTTP session's upstream gate. */
export interface Pausable {
  pause(): void;
  resume(): void;
}

/** Reasons to stop reading, as bits: a peer holds a number, not a Set (idle connections add up). */
export const Hold = { loading: 1, room: 2, rate: 4, shutdown: 8 } as const;
export type Hold = (typeof Hold)[keyof typeof Hold];

/** Awareness and query-awareness share the awareness rate; echoes of what we sent cost only bytes. */
export type RateKind = 'awareness' | 'echo' | 'other';

/**
 * What charging one message came to: read on; paused for the rate limits (`first-pause` the first
 * time on this connection, worth one log line); or held back too long (abusive).
 */
export type PaceVerdict = 'ok' | 'first-pause' | 'paused' | 'abusive';

export class InputPacer {
  readonly #ws: Pausable;
  readonly #limits: ThrottleLimits;
  /**
   * Made at the first message, and dropped again by `forgetIfRested` once its buckets are full
   * (a new one starts full): an idle connection keeps none (~150 bytes).
   */
  #throttle: InputThrottle | null = null;
  #holds = 0;
  #rateTimer: NodeJS.Timeout | null = null;
  /** Set when the peer closes: nothing resumes reading from then on. */
  #stopped = false;
  #hasPaused = false;

  constructor(ws: Pausable, limits: ThrottleLimits) {
    this.#ws = ws;
    this.#limits = limits;
  }

  hold(reason: Hold): void {
    this.#holds |= reason;
    this.#ws.pause();
  }

  release(reason: Hold): void {
    this.#holds &= ~reason;
    if (this.#holds === 0 && !this.#stopped) this.#ws.resume();
  }

  /** Charges one received message to the rate limits, pausing reads while they are in debt. */
  charge(bytes: number, kind: RateKind): PaceVerdict {
    const throttle = (this.#throttle ??= new InputThrottle(this.#limits));
    const wait = throttle.charge(bytes, kind);
    if (wait === 0) return 'ok';
    if (throttle.isAbusive) return 'abusive';
    if (this.#rateTimer === null) this.#pauseForRate(wait);
    if (this.#hasPaused) return 'paused';
    this.#hasPaused = true;
    return 'first-pause';
  }

  /** Drops the rate state when it is the same as a new one (called by a periodic sweep, not a timer of its own). */
  forgetIfRested(): void {
    if (this.#rateTimer === null && this.#throttle?.isRested) this.#throttle = null;
  }

  /** The peer is closing or dropped: no rate pause resumes reading any more. */
  stop(): void {
    this.#stopped = true;
    this.clearRateTimer();
  }

  /** After a close frame went out: read again, whatever held input, so the client's answer arrives. */
  readForClose(): void {
    this.#holds = 0;
    this.#ws.resume();
  }

  clearRateTimer(): void {
    if (this.#rateTimer !== null) clearTimeout(this.#rateTimer);
    this.#rateTimer = null;
  }

  #pauseForRate(ms: number): void {
    this.hold(Hold.rate);
    this.#rateTimer = setTimeout(() => {
      this.#rateTimer = null;
      // Messages already buffered when we paused were charged meanwhile: wait for those too.
      // The throttle is kept while this timer runs (forgetIfRested), so it is still there.
      const more = this.#throttle?.waitMs() ?? 0;
      if (more > 0 && !this.#stopped) this.#pauseForRate(more);
      else this.release(Hold.rate);
    }, ms);
  }
}
