/** The store size behind the admin overview: listed once per max age, shared while in flight, retried after a failure. */
import { describe, expect, it } from 'vitest';
import type { DocumentInfo } from '../persistence/document-store.js';
import { createStoreSummary } from './store-summary.js';

describe('createStoreSummary', () => {
  it('sums one listing for every caller within the max age, and lists again after a failure', async () => {
    let calls = 0;
    let fail = true;
    const documents: DocumentInfo[] = [
      { name: 'a', bytes: 100, updatedAt: 1 },
      { name: 'b', bytes: 23, updatedAt: 2 },
    ];
    const summary = createStoreSummary({
      list: () => {
        calls++;
        return fail ? Promise.reject(new Error('down')) : Promise.resolve(documents);
      },
    }, 60_000);
    await expect(summary()).rejects.toThrow('down');
    fail = false;
    const [first, second] = await Promise.all([summary(), summary()]);
    expect(first).toEqual({ documents: 2, bytes: 123, measuredAt: second.measuredAt });
    await summary();
    expect(calls).toBe(2);
  });
});
