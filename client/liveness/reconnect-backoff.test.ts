import { describe, expect, it } from 'vitest';
import { backoffDelayMs } from './reconnect-backoff.js';

describe('reconnect backoff', () => {
  it('doubles from 200 ms up to the cap, each delay in the upper half of its step', () => {
    const low = (attempt: number): number => backoffDelayMs(attempt, { random: () => 0 });
    const high = (attempt: number): number => backoffDelayMs(attempt, { random: () => 0.999_999 });
    expect([1, 2, 3, 4, 5, 6, 7, 8].map(high)).toEqual([200, 400, 800, 1600, 3200, 6400, 10_000, 10_000]);
    expect([1, 2, 3, 4, 5, 6, 7, 8].map(low)).toEqual([100, 200, 400, 800, 1600, 3200, 5000, 5000]);
    expect(backoffDelayMs(20, { capMs: 2500, random: () => 0.5 })).toBe(1875);
  });

  it('spreads clients that retry together: 1000 clients at the 6th attempt take hundreds of distinct delays', () => {
    const delays = Array.from({ length: 1000 }, () => backoffDelayMs(6));
    expect(new Set(delays).size).toBeGreaterThan(500);
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(3200);
    expect(Math.max(...delays)).toBeLessThanOrEqual(6400);
  });
});
