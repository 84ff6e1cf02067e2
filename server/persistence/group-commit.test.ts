import { describe, expect, it } from 'vitest';
import { GroupCommitter } from './group-commit.js';

/** A write function that records each batch and completes when the test says so. */
function controlledWrites() {
  const batches: number[][] = [];
  const pending: { resolve: () => void; reject: (error: unknown) => void }[] = [];
  const write = (ops: number[]): Promise<void> =>
    new Promise((resolve, reject) => {
      batches.push(ops);
      pending.push({ resolve, reject });
    });
  return { batches, pending, write };
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('GroupCommitter', () => {
  it('writes everything submitted in one turn as one batch, and the rest while it is in flight as the next', async () => {
    const io = controlledWrites();
    const committer = new GroupCommitter<number>(io.write);
    const first = [committer.submit([1], 1), committer.submit([2, 3], 2)];
    await turn();
    expect(io.batches).toEqual([[1, 2, 3]]);
    const second = [committer.submit([4], 1), committer.submit([5], 1), committer.submit([6], 1)];
    await turn();
    expect(io.batches).toHaveLength(1); // one write in flight at a time
    io.pending[0]!.resolve();
    await Promise.all(first);
    await turn();
    expect(io.batches[1]).toEqual([4, 5, 6]);
    io.pending[1]!.resolve();
    await Promise.all(second);
  });

  it('rejects every submission of a failed batch, and only those', async () => {
    const io = controlledWrites();
    const committer = new GroupCommitter<number>(io.write);
    const failed = committer.submit([1], 1);
    await turn();
    const later = committer.submit([2], 1);
    io.pending[0]!.reject(new Error('disk full'));
    await expect(failed).rejects.toThrow('disk full');
    await turn();
    io.pending[1]!.resolve();
    await expect(later).resolves.toBeUndefined();
  });

  it('bounds a batch by bytes', async () => {
    const io = controlledWrites();
    const committer = new GroupCommitter<number>(io.write, 10);
    const all = [committer.submit([1], 6), committer.submit([2], 6), committer.submit([3], 3)];
    await turn();
    expect(io.batches).toEqual([[1]]);
    io.pending[0]!.resolve();
    await turn();
    await turn();
    expect(io.batches[1]).toEqual([2, 3]);
    io.pending[1]!.resolve();
    await Promise.all(all);
  });
});
