/**
 * How the server faces the network: TLS, which origins may open WebSockets, which Host names are
 * served, whether a proxy's X-Forwarded-For is trusted, and the refusal to bind an address other
 * machines can reach without auth unless told to (--insecure) and told the names it is reached by.
 */
import path from 'node:path';
import { ConfigError } from './config-error.js';
import type { AuthConfig } from './auth-config.js';
import { readList, readOptional, type ReadOption } from './read-serve-options.js';

export interface NetworkConfig {
  /**
   * Exact origins (`https://app.example.com`) allowed to open WebSockets besides the server's own,
   * or null when not configured: then any origin with auth, only the server's own without.
   */
  readonly allowedOrigins: readonly string[] | null;
  /**
   * Host names (lower case, IPv6 in brackets, any port) requests may be addressed to besides
   * loopback names; `*` for any. Null when not configured: then loopback names only without auth
   * (DNS rebinding), any name with auth.
   */
  readonly allowedHosts: readonly string[] | null;
  /** Allows binding a non-loopback address without auth. */
  readonly insecure: boolean;
  /** Take the client address from the last X-Forwarded-For entry (one reverse proxy in front). */
  readonly trustProxy: boolean;
  readonly tls: Readonly<{ certFile: string; keyFile: string }> | null;
}

export function parseNetworkConfig(read: ReadOption): NetworkConfig {
  const allowedOrigins = readList(read, 'allowed-origins');
  for (const origin of allowedOrigins ?? []) {
    if (!/^https?:\/\/[^/\s]+$/.test(origin)) {
      throw new ConfigError(`invalid TANDEM_ALLOWED_ORIGINS / --allowed-origins: ${JSON.stringify(origin)} is not an origin like https://app.example.com`);
    }
  }
  const allowedHosts = readList(read, 'allowed-hosts')?.map((host) => normalizeHostName(host)) ?? null;
  const certFile = readOptional(read, 'tls-cert');
  const keyFile = readOptional(read, 'tls-key');
  if ((certFile === null) !== (keyFile === null)) throw new ConfigError('set both --tls-cert (TANDEM_TLS_CERT) and --tls-key (TANDEM_TLS_KEY), or neither');
  return {
    allowedOrigins: allowedOrigins === null ? null : Object.freeze(allowedOrigins.map((origin) => origin.toLowerCase())),
    allowedHosts: allowedHosts === null ? null : Object.freeze(allowedHosts),
    insecure: read('insecure') as boolean,
    trustProxy: read('trust-proxy') as boolean,
    tls: certFile !== null && keyFile !== null ? Object.freeze({ certFile: path.resolve(certFile), keyFile: path.resolve(keyFile) }) : null,
  };
}

/** Without auth, only loopback is served unless --insecure, and then only the names in --allowed-hosts. */
export function checkOpenModeExposure(host: string, authMode: AuthConfig['mode'], network: NetworkConfig): void {
  if (authMode === 'open' && !network.insecure && !isLoopbackHost(host)) {
    throw new ConfigError(
      `refusing to bind HOST/--host ${host} without auth: set TANDEM_AUTH_SECRET (or a public key / JWKS URL), ` +
        'or pass --insecure (TANDEM_INSECURE=1) to let anyone who can reach it read and write every document',
    );
  }
  if (authMode === 'open' && !isLoopbackHost(host) && network.allowedHosts === null) {
    // Without auth only loopback Host names are served (DNS rebinding), which nobody else uses.
    throw new ConfigError(
      `--insecure on HOST/--host ${host} needs TANDEM_ALLOWED_HOSTS / --allowed-hosts: the names clients use to reach ` +
        'this server (without auth only localhost, 127.0.0.1 and [::1] are served otherwise), or * for any',
    );
  }
}

const HOST_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;
const BRACKETED_IPV6 = /^\[[0-9a-f:.]+\]$/;

/** `Tandem.LAN` → `tandem.lan`; `[FD00::1]` → `[fd00::1]`; `*` stays; anything else (a port, a URL) fails. */
function normalizeHostName(host: string): string {
  const lower = host.toLowerCase();
  if (lower === '*' || HOST_NAME.test(lower) || BRACKETED_IPV6.test(lower)) return lower;
  throw new ConfigError(
    `invalid TANDEM_ALLOWED_HOSTS / --allowed-hosts: ${JSON.stringify(host)} is not a host name like tandem.example.com, ` +
      '192.168.1.5 or [fd00::1] (no scheme, no port)',
  );
}

/** True for addresses only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare) || bare === '::ffff:127.0.0.1';
}
