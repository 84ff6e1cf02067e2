import { describe, expect, it } from 'vitest';
import { ConfigError, parseServeConfig } from '../config.js';

const SECRET = 'x'.repeat(32);

describe('security configuration', () => {
  it('runs open on loopback and refuses a public address without auth unless --insecure', () => {
    expect(parseServeConfig([], {}).auth.mode).toBe('open');
    expect(() => parseServeConfig(['--host', '0.0.0.0'], {})).toThrow(/--insecure/);
    expect(() => parseServeConfig([], { HOST: '192.168.1.5' })).toThrow(ConfigError);
    expect(parseServeConfig(['--host', '0.0.0.0', '--insecure', '--allowed-hosts', 'tandem.lan'], {}).insecure).toBe(true);
    expect(parseServeConfig(['--host', '0.0.0.0'], { TANDEM_AUTH_SECRET: SECRET }).auth.mode).toBe('jwt');
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1']) expect(parseServeConfig(['--host', host], {}).auth.mode).toBe('open');
  });

  it('needs --allowed-hosts for --insecure on a public address (without auth only loopback Host names are served)', () => {
    expect(() => parseServeConfig(['--host', '0.0.0.0', '--insecure'], {})).toThrow(/TANDEM_ALLOWED_HOSTS/);
    expect(parseServeConfig(['--host', '0.0.0.0', '--insecure'], { TANDEM_ALLOWED_HOSTS: '*' }).allowedHosts).toEqual(['*']);
    expect(parseServeConfig(['--host', '0.0.0.0'], { TANDEM_AUTH_SECRET: SECRET }).allowedHosts).toBeNull();
  });

  it('validates and normalizes allowed host names', () => {
    expect(parseServeConfig(['--allowed-hosts', 'Tandem.LAN, 192.168.1.5,[FD00::1]'], {}).allowedHosts).toEqual(['tandem.lan', '192.168.1.5', '[fd00::1]']);
    expect(parseServeConfig([], {}).allowedHosts).toBeNull();
    for (const bad of ['tandem.lan:1234', 'https://tandem.lan', 'fd00::1', 'a b', '*.lan']) {
      expect(() => parseServeConfig(['--allowed-hosts', bad], {}), bad).toThrow(/--allowed-hosts/);
    }
  });

  it('reads the secret from the environment only, and refuses short ones', () => {
    expect(() => parseServeConfig(['--auth-secret', SECRET], {})).toThrow(ConfigError);
    expect(() => parseServeConfig([], { TANDEM_AUTH_SECRET: 'short' })).toThrow(/TANDEM_AUTH_SECRET/);
  });

  it('allowlists algorithms per kind of key and never accepts none', () => {
    expect(parseServeConfig([], { TANDEM_AUTH_SECRET: SECRET }).auth.algorithms).toEqual(['HS256']);
    expect(() => parseServeConfig(['--auth-algorithms', 'none'], { TANDEM_AUTH_SECRET: SECRET })).toThrow(/TANDEM_AUTH_ALGORITHMS/);
    expect(() => parseServeConfig(['--auth-algorithms', 'RS256'], { TANDEM_AUTH_SECRET: SECRET })).toThrow(ConfigError);
    expect(() => parseServeConfig(['--auth-jwks-url', 'https://id.example.com/jwks', '--auth-algorithms', 'HS256'], {})).toThrow(ConfigError);
    expect(() => parseServeConfig(['--auth-jwks-url', 'https://id.example.com/jwks'], { TANDEM_AUTH_SECRET: SECRET })).toThrow(/only one/);
  });

  it('validates origins, TLS pairs and queue sizes', () => {
    expect(parseServeConfig(['--allowed-origins', 'https://A.example.com, http://localhost:5173'], {}).allowedOrigins).toEqual([
      'https://a.example.com',
      'http://localhost:5173',
    ]);
    expect(() => parseServeConfig(['--allowed-origins', 'a.example.com'], {})).toThrow(/TANDEM_ALLOWED_ORIGINS/);
    expect(() => parseServeConfig(['--tls-cert', 'c.pem'], {})).toThrow(/--tls-key/);
    expect(() => parseServeConfig(['--max-early-bytes', '10'], {})).toThrow(/TANDEM_MAX_EARLY_BYTES/);
    expect(parseServeConfig([], {}).limits.maxTotalBufferedBytes).toBe(256 * 1024 * 1024);
    expect(() => parseServeConfig(['--max-buffered-bytes', String(512 * 1024 * 1024)], {})).toThrow(/TANDEM_MAX_TOTAL_BUFFERED_BYTES/);
    expect(parseServeConfig([], { TANDEM_MAX_TOTAL_BUFFERED_BYTES: String(64 * 1024 * 1024) }).limits.maxTotalBufferedBytes).toBe(64 * 1024 * 1024);
    const { limits } = parseServeConfig([], {});
    expect(limits).toMatchObject({ maxConnectionsPerIp: 1000, messagesPerSecond: 20000, awarenessPerSecond: 100 });
  });
});
