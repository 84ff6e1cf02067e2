import { describe, expect, it } from 'vitest';
import { AnswerBudget } from './answer-budget.js';

describe('AnswerBudget', () => {
  it('lets a burst through, then asks for a wait that pays the debt back at the earned rate', () => {
    let now = 0;
    const budget = new AnswerBudget({ bytesPerSecond: 1_000, burstBytes: 2_000 }, () => now);
    expect(budget.charge(1_500)).toBe(0);
    // 500 left; 1,000 more puts it 500 in debt: 500 + 10 % of the burst at 1,000 bytes/s.
    expect(budget.charge(1_000)).toBe(700);
    now += 700;
    expect(budget.waitMs()).toBe(0);
    now += 10_000;
    // Refills to the burst, never beyond.
    expect(budget.charge(2_000)).toBe(0);
    expect(budget.charge(1)).toBeGreaterThan(0);
  });
});
