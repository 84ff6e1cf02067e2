import { describe, expect, it } from 'vitest';
import { waitFor } from '../test-support/wait-for.js';
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
    const committer = new GroupCommitter<number>(io.write, { maxGroupBytes: 10 });
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

  it('spaces writes under load: what arrives within the interval after a write goes out as one batch, not one write each', async () => {
    const io = controlledWrites();
    const committer = new GroupCommitter<number>(io.write, { minIntervalMs: 30 });
    const first = committer.submit([1], 1);
    await turn();
    expect(io.batches).toEqual([[1]]); // after a quiet spell: at once
    io.pending[0]!.resolve();
    await first;
    const later: Promise<void>[] = [];
    for (let op = 2; op <= 5; op++) {
      later.push(committer.submit([op], 1));
      await turn();
    }
    expect(io.batches).toHaveLength(1); // still inside the interval
    await waitFor(() => io.batches.length === 2, { message: 'the spaced batch was written' });
    expect(io.batches[1]).toEqual([2, 3, 4, 5]);
    io.pending[1]!.resolve();
    await Promise.all(later);
  });

  it('settles nothing of a spaced batch until its write succeeds, and rejects all of it when the write fails', async () => {
    const io = controlledWrites();
    const committer = new GroupCommitter<number>(io.write, { minIntervalMs: 20 });
    const first = committer.submit([1], 1);
    await turn();
    io.pending[0]!.resolve();
    await first;
    const settled: string[] = [];
    const spaced = [committer.submit([2], 1), committer.submit([3], 1)].map((p) =>
      p.then(
        () => settled.push('stored'),
        () => settled.push('failed'),
      ),
    );
    await waitFor(() => io.batches.length === 2, { message: 'the spaced batch was written' });
    await turn();
    expect(settled).toEqual([]); // written, not yet durable: nothing may be acknowledged
    io.pending[1]!.reject(new Error('disk full'));
    await Promise.all(spaced);
    expect(settled).toEqual(['failed', 'failed']);
  });
});

