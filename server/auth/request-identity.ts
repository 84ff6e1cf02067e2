/**
 * What an HTTP request (or upgrade request) says about its sender: the token it carries, its
 * client address, its Origin and the Host name it was addressed to. Pure functions of the
 * request, shared by the WebSocket gateway and the HTTP middleware.
 *
 * Without auth, Origin and Host are all that keeps web pages out: a page may open a WebSocket to
 * any origin, and after DNS rebinding (its own name re-resolved to 127.0.0.1) it may read this
 * server's HTTP answers as same-origin; only the Host header still carries the page's name.
 */
import type { IncomingMessage } from 'node:http';
import { parse as parseCookie } from 'cookie';
import { isLoopbackHost } from '../config.js';

export const TOKEN_PARAM = 'token';
export const TOKEN_COOKIE = 'tandem_token';

/**
 * The token from `?token=`, an `Authorization: Bearer` header or (only when `allowCookie`) the
 * `tandem_token` cookie. Cookies are left out of WebSocket upgrades and state-changing requests:
 * a browser attaches them to cross-site requests too.
 */
export function tokenFromRequest(req: IncomingMessage, { allowCookie }: { allowCookie: boolean }): string | null {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const fromQuery = url.searchParams.get(TOKEN_PARAM);
  if (fromQuery !== null && fromQuery !== '') return fromQuery;
  const fromHeader = bearerToken(req);
  if (fromHeader !== null) return fromHeader;
  if (allowCookie && req.headers.cookie !== undefined) return parseCookie(req.headers.cookie)[TOKEN_COOKIE] ?? null;
  return null;
}

/** The token of an `Authorization: Bearer` header, or null (the only source the admin API reads). */
export function bearerToken(req: IncomingMessage): string | null {
  const header = req.headers.authorization;
  if (header === undefined) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1]! : null;
}

/**
 * The client's address. Behind a reverse proxy every connection comes from the proxy, so with
 * `trustProxy` the last X-Forwarded-For entry (the one our proxy appended) is used instead;
 * without it the header is ignored, since any client can send one.
 */
export function clientAddress(req: IncomingMessage, trustProxy: boolean): string {
  const direct = req.socket.remoteAddress ?? 'unknown';
  if (!trustProxy) return normalizeAddress(direct);
  const header = req.headers['x-forwarded-for'];
  const value = Array.isArray(header) ? header.join(',') : header;
  const last = value?.split(',').map((part) => part.trim()).filter((part) => part !== '').at(-1);
  return normalizeAddress(last ?? direct);
}

function normalizeAddress(address: string): string {
  return address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
}

/**
 * Whether a browser page from the request's Origin may open this WebSocket. Requests without an
 * Origin (non-browser clients) and same-host origins always may; others only when listed. With a
 * null allowlist every origin may (see originAllowlist for when that is).
 */
export function isOriginAllowed(req: IncomingMessage, allowedOrigins: readonly string[] | null): boolean {
  if (allowedOrigins === null) return true;
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  const normalized = origin.toLowerCase();
  if (allowedOrigins.includes(normalized)) return true;
  let host: string;
  try {
    host = new URL(normalized).host;
  } catch {
    return false;
  }
  return host !== '' && host === req.headers.host?.toLowerCase();
}

/**
 * The origins passed to isOriginAllowed: the configured ones; unconfigured, any origin with auth
 * (tokens, not cookies, authenticate WebSockets) and only the server's own without.
 */
export function originAllowlist(configured: readonly string[] | null, isOpen: boolean): readonly string[] | null {
  return configured ?? (isOpen ? [] : null);
}

/**
 * The host names passed to isHostAllowed: the configured ones (`*`: any); unconfigured, loopback
 * names only without auth, any name with auth (a token is needed whatever the name).
 */
export function hostAllowlist(configured: readonly string[] | null, isOpen: boolean): readonly string[] | null {
  if (configured !== null) return configured.includes('*') ? null : configured;
  return isOpen ? [] : null;
}

/** `name` or `name:port`, the name a host name, an IPv4 address or an IPv6 address in brackets. */
const HOST_HEADER = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::\d{1,5})?$/;

/**
 * Whether the request's Host header names this server: a loopback name (`localhost`,
 * `127.0.0.1`, `[::1]`, which a rebound DNS name never is) or a listed one, with any port. With
 * a null allowlist every name is. A missing or malformed Host is refused.
 */
export function isHostAllowed(req: IncomingMessage, allowedHosts: readonly string[] | null): boolean {
  if (allowedHosts === null) return true;
  const match = HOST_HEADER.exec(req.headers.host?.toLowerCase() ?? '');
  if (!match) return false;
  const name = match[1]!;
  return isLoopbackHost(name) || allowedHosts.includes(name);
}
