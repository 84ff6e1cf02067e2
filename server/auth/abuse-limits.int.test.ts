/**
 * Origins and abuse limits. Cross-origin upgrades get 403; one address cannot hold more than its
 * share of connections (keyed on X-Forwarded-For only with --trust-proxy); a fast but valid
 * sender is slowed by pausing its socket and loses nothing; a sender that stays over its limits
 * is closed with 4429. Other clients and documents are unaffected in every case.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import { CloseCode } from '../../shared/protocol.js';
import type { TestServer } from '../test-support/test-server.js';
import { connectClient, type TestClient } from '../test-support/test-client.js';
import { waitFor } from '../test-support/wait-for.js';
import {
  connectWithOptions,
  expectCanaryWorks,
  rawSocket,
  startAuthServer,
  syncUpdateFrame,
  token,
  upgradeStatus,
  type ProviderClient,
  type RawSocket,
} from '../test-support/auth-fixtures.js';

function awarenessFrame(clientId: number, clock: number): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, 1);
  const inner = encoding.createEncoder();
  encoding.writeVarUint(inner, 1);
  encoding.writeVarUint(inner, clientId);
  encoding.writeVarUint(inner, clock);
  encoding.writeVarString(inner, JSON.stringify({ cursor: clock }));
  encoding.writeVarUint8Array(encoder, encoding.toUint8Array(inner));
  return encoding.toUint8Array(encoder);
}

describe('origins and abuse limits', () => {
  let server: TestServer | null = null;
  const clients: Array<TestClient | ProviderClient> = [];
  const raws: RawSocket[] = [];

  afterEach(async () => {
    for (const c of clients.splice(0)) c.destroy();
    for (const r of raws.splice(0)) r.ws.terminate();
    await server?.dispose();
    server = null;
  });

  it('refuses cross-origin upgrades with 403 and accepts listed, same-host and non-browser ones', async () => {
    server = await startAuthServer(['--allowed-origins', 'https://app.example.com']);
    const t = await token({ docs: ['*:write'] });
    const refused = await upgradeStatus(server.wsUrl, `/plan?token=${t}`, { origin: 'https://evil.example.net' });
    expect(refused).toMatchObject({ status: 403, body: { error: { code: 'origin-not-allowed' } } });
    // Checked before the token: a foreign page learns nothing about tokens.
    expect((await upgradeStatus(server.wsUrl, '/plan', { origin: 'https://evil.example.net' })).status).toBe(403);
    for (const origin of ['https://app.example.com', server.url, undefined]) {
      const raw = rawSocket(server.wsUrl, `/plan?token=${t}`, origin ? { origin } : {});
      raws.push(raw);
      await raw.opened;
    }
    await expectCanaryWorks(server, { token: t });
  });

  it('limits connections per client address, keyed on X-Forwarded-For only behind --trust-proxy', async () => {
    server = await startAuthServer(['--max-connections-per-ip', '3', '--trust-proxy']);
    const t = await token({ docs: ['*:write'] });
    const from = (address: string) => ({ headers: { 'x-forwarded-for': `198.51.100.7, ${address}` } });
    for (let i = 0; i < 3; i++) {
      const raw = rawSocket(server.wsUrl, `/flood-${i}?token=${t}`, from('203.0.113.1'));
      raws.push(raw);
      await raw.opened;
    }
    const refused = await upgradeStatus(server.wsUrl, `/flood-x?token=${t}`, from('203.0.113.1'));
    expect(refused).toMatchObject({ status: 429, body: { error: { code: 'too-many-connections' } } });
    // Another address (another user behind the same proxy) still gets in and edits.
    const a = connectWithOptions(server.wsUrl, 'canary', from('203.0.113.2'), { token: t });
    const b = connectWithOptions(server.wsUrl, 'canary', from('203.0.113.3'), { token: t });
    clients.push(a, b);
    await Promise.all([a.synced(), b.synced()]);
    a.doc.getText('t').insert(0, 'still here');
    await waitFor(() => b.doc.getText('t').toString() === 'still here', { message: 'canary edit relayed' });
    // A slot is freed when a connection closes.
    raws[0]!.ws.close();
    await raws[0]!.closed;
    await waitFor(async () => {
      const probe = rawSocket(server!.wsUrl, `/flood-y?token=${t}`, from('203.0.113.1'));
      raws.push(probe);
      return probe.opened.then(() => true, () => false);
    }, { message: 'slot released' });
  });

  it('ignores X-Forwarded-For without --trust-proxy, and does not limit loopback (a proxy or this machine)', async () => {
    server = await startAuthServer(['--max-connections-per-ip', '2']);
    const t = await token({ docs: ['*:write'] });
    // Were the header believed, the third connection "from" 10.0.0.1 would get 429.
    for (let i = 0; i < 3; i++) {
      const raw = rawSocket(server.wsUrl, `/x?token=${t}`, { headers: { 'x-forwarded-for': '10.0.0.1' } });
      raws.push(raw);
      await raw.opened;
    }
  });

  it('slows a fast but valid sender by pausing reads and loses none of its updates, keepalive sweeps notwithstanding', async () => {
    // Keepalive sweeps every 500 ms (longer than a rate pause, or a paused reader's pong would
    // arrive too late): each drops a connection's rate state once it is rested (input-pacer.ts);
    // dropping it while the sender is in debt would let the flood through.
    server = await startAuthServer(['--max-messages-per-second', '200', '--throttle-close-after-ms', '60000', '--ping-interval-ms', '500']);
    const t = await token({ docs: ['*:write'] });
    const fast = connectClient(server.wsUrl, 'import', { params: { token: t } });
    const watcher = connectClient(server.wsUrl, 'import', { params: { token: t } });
    clients.push(fast, watcher);
    await Promise.all([fast.synced(), watcher.synced()]);
    const COUNT = 1_500;
    const started = performance.now();
    // One message per insert, spread over many turns so they reach the server in many reads:
    // far above 200/s (burst 400).
    for (let i = 0; i < COUNT; i++) {
      fast.doc.getText('t').insert(fast.doc.getText('t').length, `${i % 10}`);
      if (i % 20 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    // Meanwhile the canary document is served without delay.
    const canaryStarted = performance.now();
    await expectCanaryWorks(server, { token: t });
    const canaryMs = performance.now() - canaryStarted;
    await waitFor(() => watcher.doc.getText('t').length === COUNT, { timeoutMs: 20_000, message: 'every update arrived' });
    const elapsed = performance.now() - started;
    let expected = '';
    for (let i = 0; i < COUNT; i++) expected += `${i % 10}`;
    expect(watcher.doc.getText('t').toString()).toBe(expected);
    // (COUNT - burst) / rate = 5.5 s if every message were held back; what was buffered in the
    // last reads passes at once, so only part of that is certain.
    expect(elapsed).toBeGreaterThan(1_500);
    expect(canaryMs).toBeLessThan(2_000);
    expect(fast.provider.wsconnected).toBe(true);
    expect(server.logs.some((l) => l.doc === 'import' && l.msg.includes('pausing reads'))).toBe(true);
  });

  it('closes a sender that stays over its limits with 4429', async () => {
    server = await startAuthServer(['--max-messages-per-second', '50', '--throttle-close-after-ms', '300']);
    const t = await token({ docs: ['*:write'] });
    const watcher = connectClient(server.wsUrl, 'spam', { params: { token: t } });
    clients.push(watcher);
    await watcher.synced();
    const raw = rawSocket(server.wsUrl, `/spam?token=${t}`);
    raws.push(raw);
    await raw.opened;
    const doc = new Y.Doc();
    doc.on('update', (update: Uint8Array) => {
      if (raw.ws.readyState === raw.ws.OPEN) raw.ws.send(syncUpdateFrame(update));
    });
    // Bounded flood: 20,000 one-character updates, sent as fast as the socket takes them.
    for (let i = 0; i < 20_000 && raw.ws.readyState === raw.ws.OPEN; i++) {
      doc.getText('t').insert(0, 'x');
      if (i % 500 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    expect(await raw.closed).toBe(CloseCode.rateLimited);
    expect(server.logs.some((l) => l.code === CloseCode.rateLimited && l.msg.includes('too long'))).toBe(true);
    // What it sent before the close was applied, not dropped halfway: the watcher converges on it.
    await expectCanaryWorks(server, { token: t });
    expect(watcher.provider.wsconnected).toBe(true);
    doc.destroy();
  });

  it('pauses an awareness flood and keeps document edits of others flowing', async () => {
    server = await startAuthServer(['--max-awareness-per-second', '20', '--throttle-close-after-ms', '400']);
    const t = await token({ docs: ['*:write'] });
    const a = connectClient(server.wsUrl, 'room', { params: { token: t } });
    const b = connectClient(server.wsUrl, 'room', { params: { token: t } });
    clients.push(a, b);
    await Promise.all([a.synced(), b.synced()]);
    const raw = rawSocket(server.wsUrl, `/room?token=${t}`);
    raws.push(raw);
    await raw.opened;
    for (let clock = 1; clock <= 5_000 && raw.ws.readyState === raw.ws.OPEN; clock++) {
      raw.ws.send(awarenessFrame(424242, clock));
      if (clock % 250 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    a.doc.getText('t').insert(0, 'unaffected');
    await waitFor(() => b.doc.getText('t').toString() === 'unaffected', { message: 'edits flow during the flood' });
    expect(await raw.closed).toBe(CloseCode.rateLimited);
    // Its presence was removed when it was closed.
    await waitFor(() => !b.provider.awareness.getStates().has(424242), { message: 'flooder presence removed' });
  });

  it('does not throttle members of a busy room for echoing awareness back (stock y-websocket does)', async () => {
    server = await startAuthServer(['--max-awareness-per-second', '20']);
    const t = await token({ docs: ['*:write'] });
    const members = Array.from({ length: 5 }, () => connectClient(server!.wsUrl, 'busy', { params: { token: t } }));
    clients.push(...members);
    await Promise.all(members.map((m) => m.synced()));
    // Each moves its cursor 30 times (within its own burst of 40); each also echoes the others'
    // 120 changes, which would be far over the limit if echoes counted.
    for (let i = 1; i <= 30; i++) {
      for (const [n, m] of members.entries()) m.provider.awareness.setLocalStateField('cursor', { n, i });
      await new Promise((resolve) => setImmediate(resolve));
    }
    await waitFor(
      () => members.every((m) => members.every((o) => (m.provider.awareness.getStates().get(o.doc.clientID) as { cursor?: { i: number } } | undefined)?.cursor?.i === 30)),
      { message: 'every member sees every final cursor' },
    );
    expect(server.logs.filter((l) => l.msg.includes('pausing reads'))).toEqual([]);
  });
});
