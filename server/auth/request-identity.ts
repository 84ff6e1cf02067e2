/**
 * What an HTTP request (or upgrade request) says about its sender: the token it carries, its
 * client address and its Origin. Pure functions of the request, shared by the WebSocket gateway
 * and the HTTP middleware.
 */
import type { IncomingMessage } from 'node:http';
import { parse as parseCookie } from 'cookie';

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
 * Origin (non-browser clients) and same-host origins always may; others only when listed. With no
 * allowlist configured every origin may (tokens, not cookies, authenticate WebSockets).
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
