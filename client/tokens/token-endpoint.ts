/**
 * A token function for a URL (the `token-endpoint` attribute of `<tandem-editor>`): GET it, with
 * the page's cookies when same-origin, and take the body as the token, or `token` from a JSON
 * body (`{ "token": "…" }`). A non-2xx answer or an empty token is a failure.
 */
export function tokenFromEndpoint(endpoint: string): () => Promise<string> {
  return async () => {
    const response = await fetch(endpoint, { cache: 'no-store', headers: { accept: 'application/json, text/plain' } });
    if (!response.ok) throw new Error(`token endpoint answered ${response.status}`);
    const body = (await response.text()).trim();
    const token = (response.headers.get('content-type') ?? '').includes('json') ? readJsonToken(body) : body;
    if (!token) throw new Error('token endpoint returned no token');
    return token;
  };
}

function readJsonToken(body: string): string | null {
  const parsed = JSON.parse(body) as unknown;
  if (typeof parsed === 'string') return parsed;
  const token = (parsed as { token?: unknown } | null)?.token;
  return typeof token === 'string' ? token : null;
}
