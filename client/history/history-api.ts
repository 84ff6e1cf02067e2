/**
 * The editor's calls to the version history API (README "Version history"): list, preview (HTML),
 * diff against the current document, name, and the two calls around a restore the editor applies
 * itself. Each call sends the editor's current token as `Authorization: Bearer` (never in the
 * URL); a failed call throws a HistoryApiError with the server's error code.
 */
import { fromBase64 } from 'lib0/buffer';

export type VersionKind = 'auto' | 'named' | 'pre-restore' | 'restore';

export interface VersionEntry {
  id: number;
  kind: VersionKind;
  name: string | null;
  createdAt: string;
  bytes: number;
  editors: Array<{ sub: string; name: string | null }>;
}

export type DiffOp = 'equal' | 'added' | 'removed';

/** The diff route's answer: from the current document to the version. */
export interface VersionDiff {
  added: Array<{ index: number; type: string; text: string }>;
  removed: Array<{ againstIndex: number; type: string; text: string }>;
  changes: Array<{ index: number; againstIndex: number; type: string; parts: Array<{ text: string; op: DiffOp }> }>;
  blocks: { version: number; against: number; unchanged: number };
}

export class HistoryApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'HistoryApiError';
  }
}

export interface HistoryApi {
  list(): Promise<VersionEntry[]>;
  previewHtml(id: number): Promise<string>;
  diff(id: number): Promise<VersionDiff>;
  name(label: string): Promise<VersionEntry>;
  /** Stores the pre-restore version; answers the edit (a Yjs update) without applying it. */
  beginRestore(id: number): Promise<{ preRestoreVersion: number; update: Uint8Array }>;
  /** Stores the current state as the restore version, once the edit is on the server. */
  recordRestore(id: number): Promise<VersionEntry>;
}

export interface HistoryApiOptions {
  /** The editor's server URL (`ws(s)://host[/prefix]`). */
  serverUrl: string;
  document: string;
  /** The token the editor uses right now, if any. */
  currentToken: () => string | undefined;
}

/** `ws(s)://host/prefix` → `http(s)://host/prefix/api/docs/<name>/versions`. */
export function versionsUrl(serverUrl: string, document: string): string {
  const url = new URL(serverUrl);
  url.protocol = url.protocol === 'wss:' || url.protocol === 'https:' ? 'https:' : 'http:';
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/api/docs/${encodeURIComponent(document)}/versions`;
  url.search = '';
  return url.toString();
}

export function createHistoryApi(options: HistoryApiOptions): HistoryApi {
  const base = versionsUrl(options.serverUrl, options.document);
  const call = async (path: string, init: RequestInit & { accept: string }): Promise<Response> => {
    const token = options.currentToken();
    const headers: Record<string, string> = { accept: init.accept };
    if (token) headers.authorization = `Bearer ${token}`;
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${base}${path}`, { ...init, headers, cache: 'no-store', credentials: 'omit' });
    if (response.ok) return response;
    let code = 'http-error';
    let message = `${response.status} ${response.statusText}`;
    try {
      const body = (await response.json()) as { error?: { code?: string; message?: string } };
      code = body.error?.code ?? code;
      message = body.error?.message ?? message;
    } catch {
      // Not a JSON error body (a proxy's page): the status says enough.
    }
    throw new HistoryApiError(response.status, code, message);
  };
  const json = async <T>(path: string, method = 'GET', body?: unknown): Promise<T> =>
    (await (await call(path, { method, accept: 'application/json', ...(body !== undefined ? { body: JSON.stringify(body) } : {}) })).json()) as T;

  return {
    list: async () => (await json<{ versions: VersionEntry[] }>('')).versions,
    previewHtml: async (id) => (await call(`/${id}?format=html`, { method: 'GET', accept: 'text/html' })).text(),
    diff: (id) => json<VersionDiff>(`/${id}/diff?against=current`),
    name: (label) => json<VersionEntry>('', 'POST', { name: label }),
    async beginRestore(id) {
      const answer = await json<{ preRestoreVersion: number; update: string }>(`/${id}/restore-edit`, 'POST');
      return { preRestoreVersion: answer.preRestoreVersion, update: fromBase64(answer.update) };
    },
    recordRestore: (id) => json<VersionEntry>(`/${id}/restore-edit/applied`, 'POST'),
  };
}
