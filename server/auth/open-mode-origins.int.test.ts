/**
 * A server without auth answers only requests addressed to it by a loopback name, and opens
 * WebSockets only for its own origin (or listed ones) and for non-browser clients.
 *
 * Regression: in open mode any Origin could open a WebSocket (the origin check allowed every
 * origin unless --allowed-origins was set) and any Host was served, so any web page a developer
 * visited could read and write the documents of their local server: directly over a WebSocket
 * (browsers let pages open cross-origin WebSockets), and over HTTP after DNS rebinding
 * (`evil.example` re-resolved to 127.0.0.1 makes `/api/docs` same-origin for that page; only the
 * Host header still says `evil.example`).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import type { TestServer } from '../test-support/test-server.js';
import { startTestServer } from '../test-support/test-server.js';
import { rawSocket, startAuthServer, token, upgradeStatus, type RawSocket } from '../test-support/auth-fixtures.js';

/** GET with a chosen Host header (fetch may not set Host). */
function getWithHost(url: string, host: string | null): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: host === null ? {} : { host }, setHost: host !== null }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: body.startsWith('{') ? JSON.parse(body) : body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const hostNotAllowed = { status: 403, body: { error: { code: 'host-not-allowed' } } };
const originNotAllowed = { status: 403, body: { error: { code: 'origin-not-allowed' } } };

describe('open mode: origins and hosts', () => {
  let server: TestServer | null = null;
  const raws: RawSocket[] = [];

  afterEach(async () => {
    for (const r of raws.splice(0)) r.ws.terminate();
    await server?.dispose();
    server = null;
  });

  const opens = async (path: string, options: Parameters<typeof rawSocket>[2] = {}): Promise<void> => {
    const raw = rawSocket(server!.wsUrl, path, options);
    raws.push(raw);
    await raw.opened;
  };

  it('refuses WebSocket upgrades from a foreign Origin and accepts same-origin and Origin-less ones', async () => {
    server = await startTestServer();
    const port = new URL(server.url).port;
    expect(await upgradeStatus(server.wsUrl, '/plan', { origin: 'https://evil.example' })).toMatchObject(originNotAllowed);
    // Another local port is another origin too (a dev server, another app on this machine).
    expect(await upgradeStatus(server.wsUrl, '/plan', { origin: 'http://127.0.0.1:5173' })).toMatchObject(originNotAllowed);
    // The app this server serves (same origin), by either loopback name, and Node clients.
    await opens('/plan', { origin: server.url });
    await opens('/plan', { origin: `http://localhost:${port}`, headers: { host: `localhost:${port}` } });
    await opens('/plan');
  });

  it('refuses HTTP requests and upgrades addressed to a non-loopback Host name (DNS rebinding)', async () => {
    server = await startTestServer();
    const port = new URL(server.url).port;
    const rebound = `evil.example:${port}`;
    expect(await getWithHost(`${server.url}/api/docs`, rebound)).toMatchObject(hostNotAllowed);
    expect(await getWithHost(`${server.url}/`, rebound)).toMatchObject(hostNotAllowed);
    // After rebinding, the page's Origin matches the Host it sends: only the Host check stops it.
    expect(await upgradeStatus(server.wsUrl, '/plan', { origin: `http://${rebound}`, headers: { host: rebound } })).toMatchObject(hostNotAllowed);
    expect(await upgradeStatus(server.wsUrl, '/plan', { headers: { host: rebound } })).toMatchObject(hostNotAllowed);
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, 'localhost', 'LOCALHOST']) {
      expect(await getWithHost(`${server.url}/api/docs`, host), host).toMatchObject({ status: 200, body: { documents: [] } });
    }
    // Load balancers and probes may use any name: health carries nothing to protect.
    expect(await getWithHost(`${server.url}/healthz`, rebound)).toMatchObject({ status: 200 });
  });

  it('accepts the names and origins it is told to, and still no others', async () => {
    server = await startTestServer(['--allowed-hosts', 'tandem.lan, [fd00::1]', '--allowed-origins', 'http://localhost:5173']);
    const port = new URL(server.url).port;
    expect(await getWithHost(`${server.url}/api/docs`, `tandem.lan:${port}`)).toMatchObject({ status: 200 });
    expect(await getWithHost(`${server.url}/api/docs`, `TANDEM.LAN`)).toMatchObject({ status: 200 });
    expect(await getWithHost(`${server.url}/api/docs`, `[fd00::1]:${port}`)).toMatchObject({ status: 200 });
    expect(await getWithHost(`${server.url}/api/docs`, `127.0.0.1:${port}`)).toMatchObject({ status: 200 });
    expect(await getWithHost(`${server.url}/api/docs`, `evil.tandem.lan:${port}`)).toMatchObject(hostNotAllowed);
    await opens('/plan', { origin: 'http://localhost:5173' });
    await opens('/plan', { origin: `http://tandem.lan:${port}`, headers: { host: `tandem.lan:${port}` } });
    expect(await upgradeStatus(server.wsUrl, '/plan', { origin: 'https://evil.example' })).toMatchObject(originNotAllowed);
  });

  it('leaves auth mode as it was (any Host, any Origin) unless --allowed-hosts is given', async () => {
    server = await startAuthServer();
    const t = await token({ docs: ['*:write'] });
    const port = new URL(server.url).port;
    await opens(`/plan?token=${t}`, { origin: 'https://app.example.com', headers: { host: `tandem.example.com:${port}` } });
    await server.dispose();
    server = await startAuthServer(['--allowed-hosts', 'tandem.example.com']);
    const port2 = new URL(server.url).port;
    expect(await upgradeStatus(server.wsUrl, `/plan?token=${t}`, { headers: { host: `evil.example:${port2}` } })).toMatchObject(hostNotAllowed);
    await opens(`/plan?token=${t}`, { headers: { host: `tandem.example.com:${port2}` } });
  });
});
