/**
 * TokenExpiries replaced a timer per connection with one timer for all: these pin down that each
 * connection is still ended exactly at its own expiry (not before, not missed), that a close
 * cancels it, and that only one timer is ever pending, however many connections wait.
 */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../test-support/manual-clock.js';
import { seededRandom } from '../test-support/seeded-random.js';
import { TokenExpiries } from './token-expiry.js';

function setup() {
  const clock = new ManualClock();
  const ended: { id: number; at: number }[] = [];
  const expiries = new TokenExpiries<number>((id) => ended.push({ id, at: clock.now() }), clock);
  return { clock, ended, expiries };
}

describe('TokenExpiries', () => {
  it('ends every connection at its own expiry, in order, with one timer pending', () => {
    const { clock, ended, expiries } = setup();
    const random = seededRandom(7);
    const start = clock.now();
    const due = new Map<number, number>();
    for (let id = 0; id < 500; id++) {
      const at = start + 1_000 + random.int(3_600_000);
      due.set(id, at);
      expiries.add(id, at);
      expect(clock.pending).toBe(1);
    }
    clock.advance(1_000 + 3_600_000);
    expect(ended).toHaveLength(500);
    for (const { id, at } of ended) expect(at).toBe(due.get(id));
    expect(ended.map((e) => e.at)).toEqual([...ended.map((e) => e.at)].sort((a, b) => a - b));
    expect(clock.pending).toBe(0);
    expect(expiries.size).toBe(0);
  });

  it('arms earlier when a connection that expires sooner arrives', () => {
    const { clock, ended, expiries } = setup();
    expiries.add(1, clock.now() + 60_000);
    expiries.add(2, clock.now() + 5_000);
    clock.advance(5_000);
    expect(ended).toEqual([{ id: 2, at: clock.now() }]);
    clock.advance(55_000);
    expect(ended.map((e) => e.id)).toEqual([2, 1]);
  });

  it('never ends a cancelled connection, and drops the timer when none waits', () => {
    const { clock, ended, expiries } = setup();
    const first = expiries.add(1, clock.now() + 1_000);
    const second = expiries.add(2, clock.now() + 2_000);
    expiries.add(3, clock.now() + 3_000);
    expiries.cancel(first);
    expiries.cancel(first);
    expiries.cancel(second);
    clock.advance(10_000);
    expect(ended.map((e) => e.id)).toEqual([3]);
    const last = expiries.add(4, clock.now() + 1_000);
    expiries.cancel(last);
    expect(clock.pending).toBe(0);
    expect(expiries.size).toBe(0);
  });

  it('does not end a connection whose expiry is beyond what one setTimeout can wait (~24.8 days) early', () => {
    const { clock, ended, expiries } = setup();
    const in30Days = clock.now() + 30 * 86_400_000;
    expiries.add(1, in30Days);
    clock.advance(2 ** 31 - 1);
    expect(ended).toEqual([]);
    clock.advance(in30Days - clock.now() - 1);
    expect(ended).toEqual([]);
    clock.advance(1);
    expect(ended).toEqual([{ id: 1, at: in30Days }]);
  });

  it('skips a connection that an earlier expiry closed while both were due', () => {
    const clock = new ManualClock();
    const ended: number[] = [];
    const expiries: TokenExpiries<number> = new TokenExpiries<number>((id) => {
      ended.push(id);
      // Ending connection 1 closes connection 2 too (as one close can end another's session).
      if (id === 1) expiries.cancel(second);
    }, clock);
    expiries.add(1, clock.now() + 1_000);
    const second = expiries.add(2, clock.now() + 1_000);
    clock.advance(1_000);
    expect(ended).toEqual([1]);
  });
});
