import { describe, expect, it } from 'vitest';
import { retryDelayMs } from './webhook-dispatcher.js';

describe('retryDelayMs', () => {
  const policy = { initialDelayMs: 1_000, maxDelayMs: 60_000 };

  it('doubles per attempt, with jitter between half and all of the exponential step', () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, policy, () => 0))).toEqual([500, 1_000, 2_000, 4_000]);
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, policy, () => 1))).toEqual([1_000, 2_000, 4_000, 8_000]);
  });

  it('never waits longer than maxDelayMs', () => {
    expect(retryDelayMs(40, policy, () => 1)).toBe(60_000);
    expect(retryDelayMs(40, policy, () => 0)).toBe(30_000);
  });
});
