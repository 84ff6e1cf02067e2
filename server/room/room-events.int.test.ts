import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as Y from 'yjs';
import { createLogger } from '../logger.js';
import { createLeveldbStore } from '../persistence/leveldb-store.js';
import type { DocumentStore } from '../persistence/document-store.js';
import { startTestServer, type TestServer } from '../test-support/test-server.js';
import { ClientPool } from '../test-support/client-pool.js';
import { waitFor } from '../test-support/wait-for.js';
import { createRoomLoader } from './load-room.js';
import type { UpdateOrigin } from './room-peer.js';

async function storedText(store: DocumentStore, name: string): Promise<string> {
  const stored = await store.load(name);
  const doc = new Y.Doc();
  if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot);
  for (const update of stored.log) Y.applyUpdate(doc, update);
  return doc.getText('t').toString();
}

describe('room events', () => {
  let server: TestServer | null = null;
  const pool = new ClientPool(() => server!.wsUrl);
  const cleanups: (() => Promise<void>)[] = [];

  afterEach(async () => {
    pool.destroyAll();
    await server?.dispose();
    server = null;
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  it('tells listeners outside the room about every change with its origin, durability, compaction and the unload', async () => {
    let store: DocumentStore | null = null;
    server = await startTestServer([], {}, { wrapStore: (inner) => (store = inner) });
    const registry = server.server.registry;
    const lease = await registry.open('events');
    const room = registry.peekLoaded('events')!;
    const log: string[] = [];
    const origins: (UpdateOrigin | null)[] = [];
    room.on('update', (_update, origin) => {
      origins.push(origin);
      log.push(`update:${origin?.source ?? 'untagged'}`);
    });
    room.on('awareness', (change, origin) => log.push(`awareness:${change.added.length}:${room.peerCount > 0 && [...room.peers].includes(origin as never) ? 'peer' : 'local'}`));
    room.on('durable', () => log.push('durable'));
    room.on('compacted', () => log.push('compacted'));
    room.on('unloading', () => log.push(`unloading:${room.doc.getText('t').toString()}`));
    registry.on('unloaded', (name) => log.push(`unloaded:${name}`));

    const client = pool.connect('events');
    await client.synced();
    client.doc.getText('t').insert(0, 'c');
    await waitFor(() => lease.doc.getText('t').toString() === 'c', { message: 'client edit applied' });
    lease.transact((doc) => doc.getText('t').insert(1, 'l'));
    lease.doc.getText('t').insert(2, 'u');
    await waitFor(() => client.doc.getText('t').toString() === 'clu', { message: 'lease and untagged edits broadcast' });
    await waitFor(() => log.includes('durable'), { message: 'durable' });
    expect(await storedText(store!, 'events')).toBe('clu');

    // Content from another process: broadcast, but never stored again by this one.
    const elsewhere = new Y.Doc();
    Y.applyUpdate(elsewhere, Y.encodeStateAsUpdate(lease.doc));
    const before = Y.encodeStateVector(elsewhere);
    elsewhere.getText('t').insert(3, 'x');
    Y.applyUpdate(lease.doc, Y.encodeStateAsUpdate(elsewhere, before), { source: 'catch-up' });
    await waitFor(() => client.doc.getText('t').toString() === 'clux', { message: 'catch-up broadcast' });
    lease.transact((doc) => doc.getText('t').insert(0, '>'));
    await lease.whenSaved();
    const stored = await storedText(store!, 'events');
    // The log has the lease's edit; the caught-up character is not in it (its dependency is).
    expect(stored.startsWith('>')).toBe(true);
    expect(stored).not.toContain('x');

    client.provider.awareness.setLocalStateField('user', { name: 'Ada' });
    await waitFor(() => log.some((line) => line.startsWith('awareness:1:peer')), { message: 'awareness from the peer' });

    expect(log.filter((line) => line.startsWith('update:'))).toEqual([
      'update:client',
      'update:lease',
      'update:untagged',
      'update:catch-up',
      'update:lease',
    ]);
    expect(origins[1]).toEqual({ source: 'lease', lease });
    expect(origins[0]?.source === 'client' && origins[0].peer.id).toBeTruthy();

    pool.destroyAll();
    lease.release();
    await waitFor(() => log.includes('unloaded:events'), { message: 'unloaded' });
    const tail = log.filter((line) => ['compacted', 'unloading', 'unloaded'].some((name) => line.startsWith(name)));
    expect(tail).toEqual(['compacted', 'unloading:>clux', 'unloaded:events']);
  });

  it('emits loaded once the stored state is applied to the document', async () => {
    const directory = await mkdtemp(path.join(tmpdir(), 'tandem-events-'));
    const store = await createLeveldbStore({ directory, fsync: false });
    cleanups.push(async () => {
      await store.close();
      await rm(directory, { recursive: true, force: true });
    });
    const load = createRoomLoader({ store, logger: createLogger('silent'), compaction: { maxLogEntries: 100, maxLogBytes: 1 << 20 } });
    const first = await load('stored');
    expect(first.isLoaded).toBe(true);
    first.doc.getText('t').insert(0, 'from the store');
    await first.flush();
    first.destroy();

    const second = await load('stored');
    let loaded = 0;
    second.on('loaded', () => loaded++);
    expect(second.isLoaded).toBe(false);
    expect(second.doc.getText('t').toString()).toBe('from the store');
    expect(second.isLoaded).toBe(true);
    expect(loaded).toBe(1);
    second.destroy();
  });
});
