/**
 * Open mode (no auth) on a non-loopback address (--insecure): /metrics on the main port is not
 * served without a token as it is on loopback; it answers 409 auth-disabled, like the admin API,
 * and points to the --metrics-port listener. Traffic still goes to 127.0.0.1.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../test-support/test-server.js';

describe('metrics in open mode on a public address', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer(['--host', '0.0.0.0', '--insecure', '--allowed-hosts', 'localhost']);
  });
  afterAll(() => server.dispose());

  it('answers /metrics on the main port with 409 auth-disabled instead of serving it without a token', async () => {
    const response = await fetch(`http://127.0.0.1:${server.server.port}/metrics`);
    expect(response.status).toBe(409);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('auth-disabled');
  });
});
