/**
 * Time and timers behind one small interface, so that code that waits (editing periods, token
 * expiries) can be driven by a manual clock in tests (test-support/manual-clock.ts).
 */
export interface Clock {
  now(): number;
  /** Calls `fn` after `ms` (never keeping the process alive); returns a cancel function. */
  setTimer(fn: () => void, ms: number): () => void;
}

export const systemClock: Clock = Object.freeze({
  now: () => Date.now(),
  setTimer(fn: () => void, ms: number) {
    const timer = setTimeout(fn, ms);
    timer.unref();
    return () => clearTimeout(timer);
  },
});
