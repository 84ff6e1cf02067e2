import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './test-support/test-server.js';
import type { TestClient } from './test-support/test-client.js';
import { ClientPool, type ClientOptions } from './test-support/client-pool.js';
import { waitFor } from './test-support/wait-for.js';

type UserState = { user?: { name: string; color: string } };

function namesSeenBy(c: TestClient): string[] {
  return [...c.provider.awareness.getStates().entries()]
    .filter(([id]) => id !== c.doc.clientID)
    .map(([, state]) => (state as UserState).user?.name)
    .filter((name): name is string => typeof name === 'string')
    .sort();
}

describe('awareness relay', () => {
  let server: TestServer;
  const pool = new ClientPool(() => server.wsUrl);
  const client = (doc: string, options?: ClientOptions): TestClient => pool.connect(doc, options);

  beforeEach(async () => {
    server = await startTestServer();
  });

  afterEach(async () => {
    pool.destroyAll();
    await server.dispose();
  });

  it('relays add, update and disconnect-removal to the other clients, with no ghosts', async () => {
    const [ada, bob, cyd] = [client('presence'), client('presence'), client('presence')];
    await Promise.all([ada, bob, cyd].map((c) => c.synced()));
    ada.provider.awareness.setLocalStateField('user', { name: 'Ada', color: '#f00' });
    bob.provider.awareness.setLocalStateField('user', { name: 'Bob', color: '#0f0' });
    await waitFor(() => namesSeenBy(cyd).join() === 'Ada,Bob', { message: 'cyd sees ada and bob' });
    expect(namesSeenBy(ada)).toEqual(['Bob']);

    ada.provider.awareness.setLocalStateField('user', { name: 'Ada Lovelace', color: '#f00' });
    await waitFor(() => namesSeenBy(bob).join() === 'Ada Lovelace', { message: 'bob sees the rename' });

    // A late joiner receives the current presence of everyone already there.
    const late = client('presence');
    await waitFor(() => namesSeenBy(late).join() === 'Ada Lovelace,Bob', { message: 'late joiner sees both' });

    // Bob's socket closes without a goodbye: the server removes his state for everyone.
    (bob.provider.ws as unknown as { terminate?: () => void } | null)?.terminate?.();
    bob.provider.shouldConnect = false;
    await waitFor(() => namesSeenBy(cyd).join() === 'Ada Lovelace' && namesSeenBy(late).join() === 'Ada Lovelace', {
      message: 'bob removed everywhere',
    });
    expect(namesSeenBy(ada)).toEqual([]);
  });

  it('does not leak presence across documents', async () => {
    const [here, there] = [client('room-a'), client('room-b')];
    await Promise.all([here.synced(), there.synced()]);
    here.provider.awareness.setLocalStateField('user', { name: 'Here', color: '#00f' });
    const witness = client('room-a');
    await waitFor(() => namesSeenBy(witness).join() === 'Here', { message: 'witness sees Here' });
    expect(namesSeenBy(there)).toEqual([]);
  });
});
