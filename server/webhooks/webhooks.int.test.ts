import { afterEach, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Webhook } from 'standardwebhooks';
import { SECRET as AUTH_SECRET, token } from '../test-support/auth-fixtures.js';
import { startTestServer, type TestServer } from '../test-support/test-server.js';
import { connectClient, type TestClient } from '../test-support/test-client.js';
import { startWebhookReceiver, type WebhookReceiver } from '../test-support/webhook-receiver.js';
import { waitFor } from '../test-support/wait-for.js';
import { parseSamples, sampleValue } from '../test-support/metrics-text.js';
import { createPostgresTestSchema, type PostgresTestSchema } from '../test-support/postgres-test-schema.js';
import { createLogger } from '../logger.js';
import { createLeveldbStore } from '../persistence/leveldb-store.js';
import type { WebhookTuning } from './start-webhooks.js';
import type { WebhookCounters } from './webhook-dispatcher.js';
import { startWebhooks } from './start-webhooks.js';

const WEBHOOK_SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
const FAST: WebhookTuning = {
  debounce: { quietMs: 100, maxWaitMs: 400 },
  delivery: { initialDelayMs: 50, maxDelayMs: 200, timeoutMs: 2_000 },
};

describe('webhooks', () => {
  const servers: TestServer[] = [];
  const receivers: WebhookReceiver[] = [];
  const clients: TestClient[] = [];
  const folders: string[] = [];
  const schemas: PostgresTestSchema[] = [];

  afterEach(async () => {
    for (const c of clients.splice(0)) c.destroy();
    for (const s of servers.splice(0)) await s.dispose();
    for (const r of receivers.splice(0)) await r.close();
    for (const f of folders.splice(0)) await rm(f, { recursive: true, force: true });
    for (const schema of schemas.splice(0)) await schema.dispose();
  });

  async function receiver(answer?: (attempt: number) => number | 'hang'): Promise<WebhookReceiver> {
    const r = await startWebhookReceiver(answer);
    receivers.push(r);
    return r;
  }

  async function server(url: string, tuning: WebhookTuning = FAST, env: Record<string, string> = {}, counters?: WebhookCounters): Promise<TestServer> {
    const start = { webhookTuning: tuning, ...(counters ? { webhookCounters: counters } : {}) };
    const s = await startTestServer(['--webhook-url', url], { TANDEM_WEBHOOK_SECRET: WEBHOOK_SECRET, ...env }, { start });
    servers.push(s);
    return s;
  }

  function client(s: TestServer, doc: string, options: Parameters<typeof connectClient>[2] = {}): TestClient {
    const c = connectClient(s.wsUrl, doc, options);
    clients.push(c);
    return c;
  }

  it('sends document.created then a signed document.changed naming the editors, verified by the standardwebhooks Webhook class', async () => {
    const hook = await receiver();
    const s = await server(hook.url, FAST, { TANDEM_AUTH_SECRET: AUTH_SECRET });
    const alice = client(s, 'notes', { params: { token: await token({ sub: 'alice', name: 'Alice A.', docs: ['notes:write'] }) } });
    const bob = client(s, 'notes', { params: { token: await token({ sub: 'bob', name: 'Bob B.', docs: ['notes:write'] }) } });
    await Promise.all([alice.synced(), bob.synced()]);
    alice.doc.getText('t').insert(0, 'hello ');
    bob.doc.getText('t').insert(0, 'world');

    await waitFor(() => hook.accepted().some((e) => e.type === 'document.changed' && (e.data.editors as unknown[]).length === 2), { message: 'document.changed with both editors' });
    const events = hook.accepted();
    expect(events.filter((e) => e.type === 'document.created').map((e) => e.data)).toEqual([{ document: 'notes' }]);
    const changed = events.find((e) => e.type === 'document.changed')!;
    expect(changed.data.document).toBe('notes');
    expect(changed.data.editors).toEqual(
      expect.arrayContaining([
        { subject: 'alice', name: 'Alice A.' },
        { subject: 'bob', name: 'Bob B.' },
      ]),
    );
    const verifier = new Webhook(WEBHOOK_SECRET);
    for (const request of hook.received) {
      const headers = request.headers as Record<string, string>;
      const verified = verifier.verify(request.body, headers) as { type: string };
      expect(verified.type).toMatch(/^document\./);
      // The signature covers the body: a changed body fails.
      expect(() => verifier.verify(request.body.replace('notes', 'other'), headers)).toThrow();
    }
  });

  it('retries after 500 answers with the same event id and logs each failure with the next attempt', async () => {
    const hook = await receiver((attempt) => (attempt < 2 ? 500 : 204));
    const counted = { delivered: [] as string[], failed: [] as string[] };
    const s = await server(hook.url, FAST, {}, { delivered: (url) => counted.delivered.push(url), failed: (url) => counted.failed.push(url) });
    const c = client(s, 'retry-500');
    await c.synced();
    c.doc.getText('t').insert(0, 'x');

    await waitFor(() => hook.accepted().some((e) => e.type === 'document.created'), { message: 'created accepted after retries' });
    const created = hook.accepted().find((e) => e.type === 'document.created')!;
    const attempts = hook.received.filter((r) => r.headers['webhook-id'] === created.id);
    expect(attempts.map((r) => r.answered)).toEqual([500, 500, 204]);
    const failures = s.logs.filter((l) => l.msg === 'webhooks: delivery failed, will retry' && l.eventId === created.id);
    expect(failures).toHaveLength(2);
    expect(failures[0]).toMatchObject({ eventId: created.id, url: hook.url, status: 500, attempt: 1 });
    expect(Date.parse(String(failures[0]!.nextAttemptAt))).toBeGreaterThan(0);
    // Counted per attempt, for the metrics: the created and the changed event each failed twice.
    await waitFor(() => counted.delivered.length === 2, { message: 'both events counted delivered' });
    expect(counted.failed).toEqual([hook.url, hook.url, hook.url, hook.url]);
  });

  it('counts delivered and failed attempts in the Prometheus counters of /metrics', async () => {
    const hook = await receiver((attempt) => (attempt < 2 ? 500 : 204));
    const s = await server(hook.url);
    const c = client(s, 'retry-metrics');
    await c.synced();
    c.doc.getText('t').insert(0, 'x');
    const counters = async (): Promise<[number, number]> => {
      const samples = parseSamples(await s.server.metrics.render());
      return [sampleValue(samples, 'tandem_webhook_deliveries_total'), sampleValue(samples, 'tandem_webhook_failures_total')];
    };
    await waitFor(async () => (await counters())[0] === 2, { message: 'both events counted delivered' });
    expect(await counters()).toEqual([2, 4]);
  });

  it('sends document.changed at most every maxWaitMs during continuous editing, not only after it stops', async () => {
    const hook = await receiver();
    const s = await server(hook.url, { ...FAST, debounce: { quietMs: 200, maxWaitMs: 400 } });
    const c = client(s, 'continuous');
    await c.synced();
    const changedCount = (): number => hook.accepted().filter((e) => e.type === 'document.changed').length;
    // An edit every 20 ms never leaves the document quiet for 200 ms.
    const started = Date.now();
    while (changedCount() < 2) {
      c.doc.getText('t').insert(0, 'x');
      await new Promise((resolve) => setTimeout(resolve, 20));
      if (Date.now() - started > 5_000) throw new Error('no document.changed during continuous editing');
    }
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('retries after a receiver that never answers, once the per-delivery timeout passes', async () => {
    const hook = await receiver((attempt) => (attempt === 0 ? 'hang' : 204));
    const s = await server(hook.url, { ...FAST, delivery: { ...FAST.delivery, timeoutMs: 300 } });
    const c = client(s, 'retry-timeout');
    await c.synced();
    c.doc.getText('t').insert(0, 'x');

    await waitFor(() => hook.accepted().some((e) => e.type === 'document.created'), { message: 'created accepted after the timeout' });
    const created = hook.accepted().find((e) => e.type === 'document.created')!;
    expect(hook.received[0]!.answered).toBe('hang');
    expect(hook.received[0]!.headers['webhook-id']).toBe(created.id);
    expect(s.logs.find((l) => l.msg === 'webhooks: delivery failed, will retry')).toMatchObject({ eventId: created.id, err: 'no answer within 300 ms' });
  });

  async function expectPendingSurviveRestart(env: Record<string, string>): Promise<void> {
    const hook = await receiver(() => 503);
    const s = await server(hook.url, FAST, env);
    const c = client(s, 'survivor');
    await c.synced();
    c.doc.getText('t').insert(0, 'kept');
    const idsOf = (type: string): Set<string> =>
      new Set(hook.received.filter((r) => (JSON.parse(r.body) as { type: string }).type === type).map((r) => String(r.headers['webhook-id'])));
    await waitFor(() => idsOf('document.created').size === 1 && idsOf('document.changed').size === 1, { message: 'both events attempted' });
    const before = new Set([...idsOf('document.created'), ...idsOf('document.changed')]);
    c.destroy();

    await s.restart();
    hook.answer = () => 204;

    await waitFor(() => hook.accepted().length >= 2, { message: 'pending deliveries after the restart' });
    await waitFor(() => s.server.webhooks!.dispatcher.pendingCount === 0, { message: 'outbox drained' });
    const accepted = hook.accepted().map((e) => e.id);
    expect(new Set(accepted)).toEqual(before);
    expect(accepted).toHaveLength(before.size);
    expect(s.logs.some((l) => l.msg === 'webhooks: resuming stored deliveries' && l.pending === 2)).toBe(true);
  }

  it('keeps pending deliveries across a restart and delivers them with the same ids, each once (LevelDB outbox)', async () => {
    await expectPendingSurviveRestart({});
  });

  it('keeps pending deliveries across a restart and delivers them with the same ids, each once (PostgreSQL outbox)', async () => {
    const testSchema = createPostgresTestSchema('webhooks');
    schemas.push(testSchema);
    await expectPendingSurviveRestart({ DATABASE_URL: testSchema.url, TANDEM_DATABASE_SCHEMA: testSchema.schema });
    // The deliveries were in the table, not in the data folder.
    expect(existsSync(path.join(servers[0]!.dataDir, 'webhooks'))).toBe(false);
  });

  it('drops the oldest deliveries with a log line once the outbox holds maxPending', async () => {
    const hook = await receiver(() => 500);
    const s = await server(hook.url, { ...FAST, delivery: { ...FAST.delivery, maxPending: 3, initialDelayMs: 60_000, maxDelayMs: 60_000 } });
    for (const name of ['a', 'b', 'c', 'd', 'e']) {
      const c = client(s, `cap-${name}`);
      await c.synced();
      c.doc.getText('t').insert(0, name);
    }
    await waitFor(() => s.logs.filter((l) => l.msg === 'webhooks: outbox full, dropped the oldest delivery').length >= 2, { message: 'drops logged' });
    expect(s.server.webhooks!.dispatcher.pendingCount).toBeLessThanOrEqual(3);
    expect(s.logs.find((l) => l.msg === 'webhooks: outbox full, dropped the oldest delivery')).toMatchObject({ url: hook.url, maxPending: 3 });
  });

  it('costs the editors nothing while the receiver hangs: every edit round-trips and is acknowledged within its deadline', async () => {
    const hook = await receiver(() => 'hang');
    // Many events (a document.changed every few edits), each holding a connection for 5 s.
    const s = await server(hook.url, { debounce: { quietMs: 10, maxWaitMs: 20 }, delivery: { timeoutMs: 5_000, concurrency: 8 } });
    const writer = client(s, 'busy', { saveAck: true });
    const reader = client(s, 'busy');
    await Promise.all([writer.synced(), reader.synced()]);
    let slowest = 0;
    for (let i = 0; i < 100; i++) {
      const started = Date.now();
      writer.doc.getArray<number>('a').push([i]);
      const needed = writer.sentUpdateMessages;
      await waitFor(() => reader.doc.getArray<number>('a').length === i + 1 && writer.savedCount >= needed, { timeoutMs: 1_000, intervalMs: 1, message: `edit ${i} seen and saved` });
      slowest = Math.max(slowest, Date.now() - started);
    }
    // The receiver really was in the way: requests are stuck in it.
    expect(hook.received.length).toBeGreaterThanOrEqual(8);
    expect(slowest).toBeLessThan(250);
  });

  it('reports document.created and document.deleted through the wrapped store (the delete path of the coming HTTP API)', async () => {
    const hook = await receiver();
    const dataDir = await mkdtemp(path.join(tmpdir(), 'tandem-webhooks-'));
    folders.push(dataDir);
    const logger = createLogger('silent');
    const raw = await createLeveldbStore({ directory: path.join(dataDir, 'docs'), fsync: false });
    const webhooks = (await startWebhooks({ config: { urls: [hook.url], secret: WEBHOOK_SECRET }, dataDir, database: null, logger, tuning: FAST }))!;
    const store = webhooks.wrapStore(raw);
    try {
      await store.load('gone');
      await store.appendUpdates('gone', [new Uint8Array([0, 0])], null);
      await store.load('gone');
      await store.appendUpdates('gone', [new Uint8Array([0, 0])], null);
      await store.delete('gone');
      await waitFor(() => hook.accepted().length === 2, { message: 'created and deleted' });
      expect(hook.accepted().map((e) => [e.type, e.data])).toEqual([
        ['document.created', { document: 'gone' }],
        ['document.deleted', { document: 'gone' }],
      ]);
    } finally {
      await webhooks.close();
      await store.close();
    }
  });
});
