import { describe, expect, it } from 'vitest';
import { ReplayLog } from './replay-log.js';

const bytes = (n: number): Uint8Array => new Uint8Array(n);
const seqs = (frames: Array<{ seq: number }> | null): number[] | null => frames?.map((f) => f.seq) ?? null;

describe('ReplayLog', () => {
  it('numbers frames from 1 and gives back exactly those after a position', () => {
    const log = new ReplayLog(1_000);
    for (let i = 0; i < 5; i++) log.append(bytes(10));
    expect(seqs(log.after(0))).toEqual([1, 2, 3, 4, 5]);
    expect(seqs(log.after(3))).toEqual([4, 5]);
    expect(seqs(log.after(5))).toEqual([]);
  });

  it('refuses a position it never sent', () => {
    const log = new ReplayLog(1_000);
    log.append(bytes(1));
    expect(log.after(2)).toBeNull();
  });

  it('lets confirmed frames go, and still serves from the confirmed position on', () => {
    const log = new ReplayLog(1_000);
    for (let i = 0; i < 5; i++) log.append(bytes(10));
    log.confirm(3);
    expect(log.keptBytes).toBe(20);
    expect(log.after(2)).toBeNull();
    expect(seqs(log.after(3))).toEqual([4, 5]);
  });

  it('drops the oldest beyond its byte cap, keeping the newest however large, and then cannot serve from before them', () => {
    const log = new ReplayLog(25);
    for (let i = 0; i < 5; i++) log.append(bytes(10));
    expect(log.keptBytes).toBe(20);
    expect(log.after(2)).toBeNull();
    expect(seqs(log.after(3))).toEqual([4, 5]);
    log.append(bytes(100));
    expect(seqs(log.after(5))).toEqual([6]);
    expect(log.after(4)).toBeNull();
  });

  it('stays right over many appends and confirms (its array is compacted now and then)', () => {
    const log = new ReplayLog(10_000);
    for (let i = 1; i <= 1_000; i++) {
      log.append(bytes(3));
      if (i % 7 === 0) log.confirm(i - 2);
    }
    expect(seqs(log.after(998))).toEqual([999, 1000]);
    expect(log.after(990)).toBeNull();
  });
});
