/**
 * Why a WebSocket could not open. Tandem refuses a bad token before the upgrade, as HTTP 401/403,
 * and a browser shows that to the page only as a failed socket (close 1006), the same as a network
 * error. So after such a failure the client asks the HTTP API about the same document with the
 * same token: HEAD /api/docs/:name answers 401 (token missing, invalid, expired or revoked) or 403
 * (no access to this document) exactly as the upgrade does.
 */

export type ProbeResult = 'allowed' | 'unauthorized' | 'forbidden' | 'unknown';

/** `ws(s)://host/prefix` → `http(s)://host/prefix/api/docs/<name>`. */
export function probeUrl(webSocketUrl: string, document: string): string {
  const url = new URL(webSocketUrl);
  url.protocol = url.protocol === 'wss:' ? 'https:' : 'http:';
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/api/docs/${encodeURIComponent(document)}`;
  url.search = '';
  return url.toString();
}

/**
 * 'unknown' when the server cannot be asked: unreachable (offline), another origin that does not
 * allow this page to read its answers (CORS), or any other answer; the caller keeps reconnecting.
 */
export async function probeAccess(webSocketUrl: string, document: string, token: string, signal?: AbortSignal): Promise<ProbeResult> {
  try {
    const response = await fetch(probeUrl(webSocketUrl, document), {
      method: 'HEAD',
      headers: { authorization: `Bearer ${token}` },
      cache: 'no-store',
      credentials: 'omit',
      ...(signal ? { signal } : {}),
    });
    if (response.status === 401) return 'unauthorized';
    if (response.status === 403) return 'forbidden';
    return response.ok || response.status === 404 ? 'allowed' : 'unknown';
  } catch {
    // Network failure, CORS, or aborted by destroy(): nothing learned.
    return 'unknown';
  }
}
