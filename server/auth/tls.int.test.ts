/**
 * With --tls-cert and --tls-key the server itself serves https:// and wss://, here with a
 * self-signed certificate generated for the test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startTestServer, type TestServer } from '../test-support/test-server.js';
import { waitFor } from '../test-support/wait-for.js';
import { connectWithOptions, SECRET, token, upgradeStatus } from '../test-support/auth-fixtures.js';

describe('TLS', () => {
  let dir: string;
  let server: TestServer;
  let ca: Buffer;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'tandem-tls-'));
    const cert = path.join(dir, 'cert.pem');
    const key = path.join(dir, 'key.pem');
    await promisify(execFile)('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
      '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert,
    ], { timeout: 30_000 });
    ca = await readFile(cert);
    server = await startTestServer(['--tls-cert', cert, '--tls-key', key], { TANDEM_AUTH_SECRET: SECRET });
  });
  afterAll(async () => {
    await server.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves HTTPS', async () => {
    expect(server.url).toMatch(/^https:\/\//);
    const status = await new Promise<number>((resolve, reject) => {
      request(`${server.url}/healthz`, { ca }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      }).on('error', reject).end();
    });
    expect(status).toBe(200);
  });

  it('syncs two providers over wss:// and still checks tokens', async () => {
    expect(server.wsUrl).toMatch(/^wss:\/\//);
    const t = await token({ docs: ['secure:write'] });
    const a = connectWithOptions(server.wsUrl, 'secure', { ca }, { token: t });
    const b = connectWithOptions(server.wsUrl, 'secure', { ca }, { token: t });
    try {
      await Promise.all([a.synced(), b.synced()]);
      a.doc.getText('t').insert(0, 'encrypted');
      await waitFor(() => b.doc.getText('t').toString() === 'encrypted', { message: 'edit relayed over wss' });
    } finally {
      a.destroy();
      b.destroy();
    }
    expect((await upgradeStatus(server.wsUrl, '/secure', { ca })).status).toBe(401);
  });
});
