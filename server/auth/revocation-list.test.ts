import { describe, expect, it } from 'vitest';
import { RevocationList, type Revocation } from './revocation-list.js';

describe('RevocationList', () => {
  it('applying a revocation again (pub/sub repeats, polls) tells no listener and reports it as not new', async () => {
    const list = await RevocationList.open(null);
    const heard: Revocation[] = [];
    list.onRevoke((revocation) => {
      heard.push(revocation);
      return 1;
    });
    expect(await list.revoke({ sub: 'alice' }, 2_000)).toMatchObject({ closed: 1, isNew: true });
    expect(await list.revoke({ sub: 'alice' }, 2_000)).toMatchObject({ closed: 0, isNew: false });
    // An older one is covered by the newer entry too.
    expect(await list.revoke({ sub: 'alice' }, 1_000)).toMatchObject({ revocation: { sub: 'alice', before: 2_000 }, isNew: false });
    expect(heard).toHaveLength(1);
    // A later one, or another scope, is news.
    expect(await list.revoke({ sub: 'alice' }, 3_000)).toMatchObject({ isNew: true });
    expect(await list.revoke({ sub: 'alice', doc: 'plan' }, 3_000)).toMatchObject({ isNew: true });
    expect(heard.map((revocation) => revocation.before)).toEqual([2_000, 3_000, 3_000]);
    expect(list.entries).toHaveLength(2);
  });
});
