import { describe, expect, it } from 'vitest';
import { InputThrottle } from './input-throttle.js';

const limits = { messagesPerSecond: 10, bytesPerSecond: 1_000, awarenessPerSecond: 2, maxMessageBytes: 100, closeAfterMs: 60_000 };

describe('InputThrottle.isRested', () => {
  // Peers drop a rested throttle and make a new one at their next message, so "rested" must mean
  // exactly "the same as new": full buckets and no throttling under way.
  it('is true when new, false after a message until every bucket has refilled, and false while in debt', () => {
    let now = 1_000;
    const throttle = new InputThrottle(limits, () => now);
    expect(throttle.isRested).toBe(true);
    expect(throttle.charge(10, 'awareness')).toBe(0);
    expect(throttle.isRested).toBe(false);
    now += 400; // messages (10/s) and bytes are full again, awareness (2/s) is not
    expect(throttle.isRested).toBe(false);
    now += 100;
    expect(throttle.isRested).toBe(true);
    for (let i = 0; i < 5; i++) throttle.charge(1, 'awareness');
    expect(throttle.waitMs()).toBeGreaterThan(0);
    now += 60_000;
    // Refilled, but the throttled period only ends with the next message that finds it rested.
    expect(throttle.isRested).toBe(false);
    expect(throttle.charge(1, 'other')).toBe(0);
    now += 1_000;
    expect(throttle.isRested).toBe(true);
  });
});
