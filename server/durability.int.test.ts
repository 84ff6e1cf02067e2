import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startChildServer, type ChildServer } from './test-support/child-server.js';
import { connectClient, type TestClient } from './test-support/test-client.js';
import { waitFor } from './test-support/wait-for.js';

/** Each writer pushes `w<i>-<n>` items, one transaction (one update message) per item. */
interface Writer {
  client: TestClient;
  /** For item n: the sent-message count that must be acknowledged for it to be durable. */
  ackNeeded: number[];
}

function startWriters(child: ChildServer, doc: string, count: number): Writer[] {
  return Array.from({ length: count }, () => ({ client: connectClient(child.wsUrl, doc, { saveAck: true }), ackNeeded: [] }));
}

function itemsAcked(writers: Writer[], prefix: (i: number) => string): string[] {
  return writers.flatMap((w, i) => w.ackNeeded.flatMap((needed, n) => (w.client.savedCount >= needed ? [`${prefix(i)}-${n}`] : [])));
}

describe('durability of acknowledged writes', () => {
  let dataDir: string;
  const children: ChildServer[] = [];
  const clients: TestClient[] = [];

  afterEach(async () => {
    for (const c of clients.splice(0)) c.destroy();
    for (const child of children.splice(0)) {
      if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill('SIGKILL');
      await child.exited;
    }
    await rm(dataDir, { recursive: true, force: true });
  });

  it('keeps every acknowledged update when the server is SIGKILLed during heavy editing (repeated)', async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'tandem-kill-'));
    const everAcked: string[] = [];
    for (let round = 0; round < 3; round++) {
      const child = await startChildServer(['--data-dir', dataDir, '--compact-log-entries', '50']);
      children.push(child);
      const writers = startWriters(child, 'crash-test', 4);
      clients.push(...writers.map((w) => w.client));
      await Promise.all(writers.map((w) => w.client.synced()));
      const prefix = (i: number): string => `r${round}w${i}`;
      // Edit flat out until enough is acknowledged, then kill mid-stream (edits still in flight).
      let n = 0;
      while (itemsAcked(writers, prefix).length < 400) {
        for (const [i, w] of writers.entries()) {
          w.client.doc.getArray<string>('items').push([`${prefix(i)}-${n}`]);
          w.ackNeeded.push(w.client.sentUpdateMessages);
        }
        n++;
        if (n % 20 === 0) await new Promise((resolve) => setImmediate(resolve));
        if (n > 20_000) throw new Error('acks did not arrive');
      }
      for (let burst = 0; burst < 50; burst++) {
        for (const [i, w] of writers.entries()) {
          w.client.doc.getArray<string>('items').push([`${prefix(i)}-${n}`]);
          w.ackNeeded.push(w.client.sentUpdateMessages);
        }
        n++;
      }
      child.process.kill('SIGKILL');
      await child.exited;
      everAcked.push(...itemsAcked(writers, prefix));
      // Throw away every client's state: only the server's store may bring items back.
      for (const w of writers) w.client.destroy();
    }
    const verifier = await startChildServer(['--data-dir', dataDir]);
    children.push(verifier);
    const fresh = connectClient(verifier.wsUrl, 'crash-test');
    clients.push(fresh);
    // Killed servers leave snapshot + log; "synced" must still mean all of it has arrived.
    let itemsAtSync = -1;
    fresh.provider.once('sync', () => (itemsAtSync = fresh.doc.getArray('items').length));
    await fresh.synced();
    expect(itemsAtSync).toBe(fresh.doc.getArray('items').length);
    const stored = new Set(fresh.doc.getArray<string>('items').toArray());
    const missing = everAcked.filter((item) => !stored.has(item));
    expect(everAcked.length).toBeGreaterThanOrEqual(3 * 400);
    expect(missing).toEqual([]);
  });

  it('flushes every received edit on SIGTERM and exits 0 (no lost tail)', async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'tandem-term-'));
    const child = await startChildServer(['--data-dir', dataDir, '--fsync']);
    children.push(child);
    const typist = connectClient(child.wsUrl, 'burst');
    const observer = connectClient(child.wsUrl, 'burst');
    clients.push(typist, observer);
    await Promise.all([typist.synced(), observer.synced()]);
    const text = typist.doc.getText('t');
    for (let i = 0; i < 5_000; i++) {
      text.insert(text.length, String.fromCharCode(97 + (i % 26)));
      if (i % 100 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    const expected = text.toString();
    // Once the observer has everything, the server has applied every edit in memory.
    await waitFor(() => observer.doc.getText('t').toString() === expected, { timeoutMs: 20_000, message: 'observer caught up' });
    child.process.kill('SIGTERM');
    expect(await child.exited).toEqual({ code: 0, signal: null });
    typist.destroy();
    observer.destroy();
    const next = await startChildServer(['--data-dir', dataDir]);
    children.push(next);
    const fresh = connectClient(next.wsUrl, 'burst');
    clients.push(fresh);
    await fresh.synced();
    expect(fresh.doc.getText('t').toString()).toBe(expected);
  });
});
