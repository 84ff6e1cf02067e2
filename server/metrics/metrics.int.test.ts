import { request as httpRequest } from 'node:http';
/**
 * GET /metrics against a real server with real WebsocketProvider clients: the instruments move
 * with real traffic (connections by access, messages and bytes by type, saved-ack and store write
 * latency, closes by code, HTTP requests by route), the endpoint is guarded by the admin token on
 * the main port and free on the --metrics-port listener, and HTTP requests carry a request id.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CloseCode } from '../../shared/protocol.js';
import { startTestServer, type TestServer } from '../test-support/test-server.js';
import { rawSocket, startAuthServer, syncUpdateFrame, token } from '../test-support/auth-fixtures.js';
import { connectClient, type TestClient } from '../test-support/test-client.js';
import { parseSamples, sampleValue, type Sample } from '../test-support/metrics-text.js';
import { waitFor } from '../test-support/wait-for.js';

describe('metrics on the main port (auth configured)', () => {
  let server: TestServer;
  let admin: string;
  let writer: string;
  let reader: string;
  const clients: TestClient[] = [];

  beforeAll(async () => {
    server = await startAuthServer();
    admin = await token({ sub: 'root', docs: [], admin: true });
    writer = await token({ sub: 'will', docs: ['*:write'] });
    reader = await token({ sub: 'rita', docs: ['notes:read'] });
  });
  afterEach(() => {
    for (const client of clients.splice(0)) client.destroy();
  });
  afterAll(() => server.dispose());

  const scrape = async (): Promise<Sample[]> => {
    const response = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${admin}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    return parseSamples(await response.text());
  };

  it('answers 401 without a token, 403 to a non-admin token, and 401 to an admin token in ?token=', async () => {
    expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${writer}` } })).status).toBe(403);
    expect((await fetch(`${server.url}/metrics?token=${admin}`)).status).toBe(401);
  });

  it('counts connections by access, messages and bytes by type, and saved-ack and store write latencies after real edits', async () => {
    const before = await scrape();
    const editor = connectClient(server.wsUrl, 'notes', { saveAck: true, params: { token: writer } });
    const viewer = connectClient(server.wsUrl, 'notes', { params: { token: reader } });
    clients.push(editor, viewer);
    await Promise.all([editor.synced(), viewer.synced()]);
    for (let i = 0; i < 5; i++) editor.doc.getText('t').insert(0, `edit ${i}; `);
    await waitFor(() => editor.sentUpdateMessages > 0 && editor.savedCount === editor.sentUpdateMessages, { message: 'every edit acknowledged as saved' });
    await waitFor(() => viewer.doc.getText('t').length === editor.doc.getText('t').length, { message: 'viewer has the edits' });

    const after = await scrape();
    const delta = (name: string, labels: Record<string, string> = {}): number => sampleValue(after, name, labels) - sampleValue(before, name, labels);
    expect(sampleValue(after, 'tandem_connections', { access: 'read-write' })).toBe(1);
    expect(sampleValue(after, 'tandem_connections', { access: 'read-only' })).toBe(1);
    expect(sampleValue(after, 'tandem_open_documents')).toBe(1);
    expect(delta('tandem_messages_received_total', { type: 'sync-update' })).toBeGreaterThanOrEqual(1);
    expect(delta('tandem_received_bytes_total', { type: 'sync-update' })).toBeGreaterThan(0);
    expect(delta('tandem_messages_received_total', { type: 'sync-step1' })).toBe(2);
    // Each update relayed to the viewer, and the acks sent to the editor.
    expect(delta('tandem_messages_sent_total', { type: 'sync-update' })).toBeGreaterThanOrEqual(1);
    expect(delta('tandem_messages_sent_total', { type: 'saved-ack' })).toBeGreaterThanOrEqual(1);
    expect(delta('tandem_sent_bytes_total', { type: 'sync-update' })).toBeGreaterThan(0);
    // One latency per acknowledged update message, from its arrival to the ack covering it.
    expect(delta('tandem_saved_ack_seconds_count')).toBe(editor.sentUpdateMessages);
    expect(delta('tandem_store_write_seconds_count', { operation: 'append' })).toBeGreaterThanOrEqual(1);
    // Default process metrics and event-loop lag come with it.
    expect(after.some((s) => s.name === 'process_cpu_user_seconds_total')).toBe(true);
    expect(after.some((s) => s.name === 'nodejs_eventloop_lag_seconds')).toBe(true);

    editor.destroy();
    viewer.destroy();
    await waitFor(async () => sampleValue(await scrape(), 'tandem_connections', { access: 'read-write' }) === 0, { message: 'connection gauge back to 0' });
  });

  it('counts closes by close code after the server closes a connection with 1007, and logs it with its connection id', async () => {
    const raw = rawSocket(server.wsUrl, `/bad?token=${writer}`);
    await raw.opened;
    raw.ws.send(syncUpdateFrame(new Uint8Array(0)));
    expect(await raw.closed).toBe(CloseCode.invalidData);
    await waitFor(async () => sampleValue(await scrape(), 'tandem_connection_closes_total', { code: '1007' }) === 1, {
      message: 'close counted under code 1007',
    });
    const lines = server.logs.filter((line) => line.doc === 'bad' && line.code === CloseCode.invalidData);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line.connId).toMatch(/^c\d+$/);
  });

  it('counts HTTP requests by route pattern and status, not by raw path', async () => {
    const before = await scrape();
    for (let i = 0; i < 3; i++) expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${server.url}/api/docs/notes?format=text`, { headers: { authorization: `Bearer ${reader}` } })).status).toBe(200);
    expect((await fetch(`${server.url}/api/docs/secret?format=text`, { headers: { authorization: `Bearer ${reader}` } })).status).toBe(403);
    const after = await scrape();
    const delta = (labels: Record<string, string>): number =>
      sampleValue(after, 'tandem_http_requests_total', labels) - sampleValue(before, 'tandem_http_requests_total', labels);
    expect(delta({ route: '/healthz', status: '200' })).toBe(3);
    expect(delta({ route: '/api/docs/:name', status: '200' })).toBe(1);
    expect(after.some((s) => s.name === 'tandem_http_requests_total' && s.labels.route?.includes('notes'))).toBe(false);
  });

  it('echoes a well-formed X-Request-Id and logs the request under it; replaces a malformed one', async () => {
    const response = await fetch(`${server.url}/api/docs`, { headers: { authorization: `Bearer ${reader}`, 'x-request-id': 'trace-42.a' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBe('trace-42.a');
    await waitFor(() => server.logs.some((line) => line.reqId === 'trace-42.a' && line.msg === 'request completed'), { message: 'request line logged' });
    const line = server.logs.find((l) => l.reqId === 'trace-42.a')!;
    expect(line).toMatchObject({ method: 'GET', route: '/api/docs', status: 200 });

    const malformed = await fetch(`${server.url}/api/docs`, { headers: { authorization: `Bearer ${reader}`, 'x-request-id': 'bad id <script>' } });
    const generated = malformed.headers.get('x-request-id');
    expect(generated).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    await waitFor(() => server.logs.some((l) => l.reqId === generated), { message: 'generated id logged' });
  });
});

describe('metrics listener (--metrics-port)', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startAuthServer(['--metrics-port', '0']);
  });
  afterAll(() => server.dispose());

  it('serves /metrics without a token on its own port, while the main port still wants the admin token', async () => {
    const metricsUrl = server.server.metricsUrl;
    expect(metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const response = await fetch(`${metricsUrl}/metrics`);
    expect(response.status).toBe(200);
    expect(sampleValue(parseSamples(await response.text()), 'tandem_connections', { access: 'read-write' })).toBe(0);
    expect((await fetch(`${metricsUrl}/other`)).status).toBe(404);
    expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
  });

  it('on loopback refuses a request addressed to another host name (DNS rebinding) with 403', async () => {
    const { port } = new URL(server.server.metricsUrl!);
    const statusFor = (host: string): Promise<number> =>
      new Promise((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port: Number(port), path: '/metrics', headers: { host } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
    expect(await statusFor('attacker.example:80')).toBe(403);
    expect(await statusFor(`localhost:${port}`)).toBe(200);
  });
});

describe('metrics in open mode on loopback', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.dispose());

  it('serves /metrics without a token: whoever reaches a loopback open server may already edit everything', async () => {
    const response = await fetch(`${server.url}/metrics`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('tandem_open_documents 0');
  });
});
