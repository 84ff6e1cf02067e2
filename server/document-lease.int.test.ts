import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { startTestServer, type TestServer } from './test-support/test-server.js';
import { ClientPool } from './test-support/client-pool.js';
import { waitFor } from './test-support/wait-for.js';
import { withFaults, type FaultyStore } from './test-support/faulty-store.js';
import { withGate, type GatedStore } from './test-support/gated-store.js';
import type { DocumentStore } from './persistence/document-store.js';
import { RoomError } from './room/room-error.js';

async function storedText(store: DocumentStore, name: string): Promise<string> {
  const stored = await store.load(name);
  const doc = new Y.Doc();
  if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot);
  for (const update of stored.log) Y.applyUpdate(doc, update);
  return doc.getText('t').toString();
}

describe('document leases', () => {
  let server: TestServer;
  const pool = new ClientPool(() => server.wsUrl);

  afterEach(async () => {
    pool.destroyAll();
    await server.dispose();
  });

  it('broadcasts a lease edit to connected clients and stores it; a fresh client sees it after a restart', async () => {
    server = await startTestServer();
    const client = pool.connect('leased');
    await client.synced();
    const lease = await server.server.registry.open('leased');
    lease.transact((doc) => doc.getText('t').insert(0, 'written by the server'));
    await waitFor(() => client.doc.getText('t').toString() === 'written by the server', { message: 'client receives the lease edit' });
    await lease.whenSaved();
    lease.release();
    pool.destroyAll();
    await server.restart();
    const fresh = pool.connect('leased');
    await fresh.synced();
    expect(fresh.doc.getText('t').toString()).toBe('written by the server');
  });

  it("shows a client's edit through lease.doc", async () => {
    server = await startTestServer();
    const lease = await server.server.registry.open('shared');
    const client = pool.connect('shared');
    await client.synced();
    client.doc.getText('t').insert(0, 'typed by a client');
    await waitFor(() => lease.doc.getText('t').toString() === 'typed by a client', { message: 'lease sees the edit' });
    lease.release();
  });

  it('resolves whenSaved only once the store holds the change, while writes fail and after they recover', async () => {
    let faulty: FaultyStore | null = null;
    server = await startTestServer([], {}, { wrapStore: (store) => (faulty = withFaults(store)) });
    const lease = await server.server.registry.open('saved');
    faulty!.failing = true;
    lease.transact((doc) => doc.getText('t').insert(0, 'durable?'));
    let saved = false;
    const whenSaved = lease.whenSaved().then(() => (saved = true));
    await waitFor(() => faulty!.writeCalls >= 2, { message: 'failed write attempts' });
    expect(saved).toBe(false);
    expect(await storedText(faulty!, 'saved')).toBe('');
    faulty!.failing = false;
    await whenSaved;
    expect(await storedText(faulty!, 'saved')).toBe('durable?');
    lease.release();
  });

  it('unloads the document on release, once; release is idempotent and a released lease refuses edits', async () => {
    server = await startTestServer();
    const unloaded: string[] = [];
    server.server.registry.on('unloaded', (name) => unloaded.push(name));
    const lease = await server.server.registry.open('released');
    lease.transact((doc) => doc.getText('t').insert(0, 'kept'));
    expect(server.server.registry.size).toBe(1);
    lease.release();
    lease.release();
    expect(lease.isReleased).toBe(true);
    await waitFor(() => server.server.registry.size === 0, { message: 'unloaded after release' });
    expect(unloaded).toEqual(['released']);
    expect(() => lease.transact(() => undefined)).toThrow(RoomError);
    await expect(lease.whenSaved()).rejects.toMatchObject({ code: 'lease-released' });
    const fresh = pool.connect('released');
    await fresh.synced();
    expect(fresh.doc.getText('t').toString()).toBe('kept');
  });

  it('keeps a document that is leased while it unloads, sharing the same room and load', async () => {
    let gated: GatedStore | null = null;
    server = await startTestServer([], {}, { wrapStore: (store) => (gated = withGate(store)).store });
    const client = pool.connect('racing');
    await client.synced();
    client.doc.getText('t').insert(0, 'before ');
    await waitFor(async () => (await storedText(gated!.store, 'racing')) === 'before ', { message: 'client edit stored' });
    // The client leaves: the unload flushes, and its compaction waits at the gate.
    gated!.close();
    pool.destroyAll();
    await waitFor(() => gated!.waitingCompactions === 1, { message: 'unload under way' });
    // (storedText above loads through the store too: count from here.)
    const loadsBefore = gated!.roomLoads('racing');
    const lease = await server.server.registry.open('racing');
    gated!.open();
    // The unload saw the lease after its flush and kept the room: same load, content intact.
    await waitFor(() => gated!.waitingCompactions === 0, { message: 'flush done' });
    expect(server.server.registry.size).toBe(1);
    expect(gated!.roomLoads('racing')).toBe(loadsBefore);
    expect(lease.doc.getText('t').toString()).toBe('before ');
    lease.transact((doc) => doc.getText('t').insert(7, 'and after'));
    await lease.whenSaved();
    lease.release();
    await waitFor(() => server.server.registry.size === 0, { message: 'unloaded after release' });
    const fresh = pool.connect('racing');
    await fresh.synced();
    expect(fresh.doc.getText('t').toString()).toBe('before and after');
  });

  it('keeps a document a client joins while a released lease unloads it', async () => {
    let gated: GatedStore | null = null;
    server = await startTestServer([], {}, { wrapStore: (store) => (gated = withGate(store)).store });
    const lease = await server.server.registry.open('handover');
    lease.transact((doc) => doc.getText('t').insert(0, 'from the lease'));
    await lease.whenSaved();
    gated!.close();
    lease.release();
    await waitFor(() => gated!.waitingCompactions === 1, { message: 'unload under way' });
    const client = pool.connect('handover');
    await waitFor(() => server.server.registry.peekLoaded('handover')?.peerCount === 1, { message: 'client attached during the flush' });
    gated!.open();
    await client.synced();
    expect(client.doc.getText('t').toString()).toBe('from the lease');
    await waitFor(() => gated!.waitingCompactions === 0, { message: 'flush done' });
    expect(server.server.registry.size).toBe(1);
    expect(gated!.roomLoads('handover')).toBe(1);
    // The client edits the very room the lease left behind.
    client.doc.getText('t').insert(0, '+');
    await waitFor(async () => (await storedText(gated!.store, 'handover')) === '+from the lease', { message: 'client edit stored' });
  });

  it('loads a document once for many leases opened at once, and unloads it once after the last release', async () => {
    let gated: GatedStore | null = null;
    server = await startTestServer([], {}, { wrapStore: (store) => (gated = withGate(store)).store });
    const unloaded: string[] = [];
    server.server.registry.on('unloaded', (name) => unloaded.push(name));
    const leases = await Promise.all(Array.from({ length: 20 }, () => server.server.registry.open('crowd')));
    expect(gated!.roomLoads('crowd')).toBe(1);
    expect(new Set(leases.map((lease) => lease.doc)).size).toBe(1);
    leases.forEach((lease, i) => lease.transact((doc) => doc.getArray('a').push([i])));
    for (const lease of leases.slice(0, 19)) lease.release();
    await leases[19]!.whenSaved();
    expect(server.server.registry.size).toBe(1);
    leases[19]!.release();
    await waitFor(() => server.server.registry.size === 0, { message: 'unloaded after the last release' });
    expect(unloaded).toEqual(['crowd']);
    const fresh = pool.connect('crowd');
    await fresh.synced();
    expect([...fresh.doc.getArray<number>('a').toArray()].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });
});
