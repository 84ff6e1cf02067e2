/**
 * Time and timers behind one small interface, so that code that waits (editing periods, token
 * expiries, presence windows) can be driven by a manual clock in tests
 * (test-support/manual-clock.ts).
 */
export interface Clock {
  now(): number;
  /** Calls `fn` after `ms` (never keeping the process alive); returns a cancel function. */
  setTimer(fn: () => void, ms: number): () => void;
}

/** An unref'd timeout, cancelled by the returned function. */
function setUnrefTimer(fn: () => void, ms: number): () => void {
  const timer = setTimeout(fn, ms);
  timer.unref();
  return () => clearTimeout(timer);
}

export const systemClock: Clock = Object.freeze({
  now: () => Date.now(),
  setTimer: setUnrefTimer,
});

/**
 * Monotonic time (performance.now) for intervals within the process: a presence window must not
 * stretch or shrink when the wall clock is stepped, where a token's expiry is wall time.
 */
export const monotonicClock: Clock = Object.freeze({
  now: () => performance.now(),
  setTimer: setUnrefTimer,
});
