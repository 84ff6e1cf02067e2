/**
 * The admin page's calls to the admin API. The token goes in `Authorization: Bearer` only (the
 * server refuses it anywhere else, and a URL would keep it in history and proxy logs); it is never
 * logged. Every failure becomes an AdminApiError with the server's status and code.
 */
import type { AdminOverview } from '../../shared/admin-overview.js';

export class AdminApiError extends Error {
  constructor(
    /** HTTP status, or 0 when the server could not be reached. */
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }

  /** 401/403: no token, a token the server refuses, or one without `"admin": true`. */
  get isNotAdmin(): boolean {
    return this.status === 401 || this.status === 403;
  }
}

export interface RevokeResult {
  revoked: { sub?: string; doc?: string; before: string };
  closedConnections: number;
}

export interface AdminApi {
  overview(): Promise<AdminOverview>;
  closeConnection(id: string): Promise<void>;
  revoke(scope: { sub?: string; doc?: string }): Promise<RevokeResult>;
}

export function createAdminApi(token: string): AdminApi {
  const call = async (method: 'GET' | 'POST', path: string, body?: object): Promise<Response> => {
    let response: Response;
    try {
      response = await fetch(path, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/json',
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        ...(body ? { body: JSON.stringify(body) } : {}),
        cache: 'no-store',
        credentials: 'omit',
      });
    } catch {
      // fetch rejects only when nothing answered; its own message names no status.
      throw new AdminApiError(0, 'unreachable', 'the server could not be reached');
    }
    if (!response.ok) throw await toError(response);
    return response;
  };
  return {
    async overview() {
      return (await (await call('GET', '/api/admin/overview')).json()) as AdminOverview;
    },
    async closeConnection(id) {
      await call('POST', `/api/admin/connections/${encodeURIComponent(id)}/close`);
    },
    async revoke(scope) {
      return (await (await call('POST', '/api/admin/revoke', scope)).json()) as RevokeResult;
    },
  };
}

async function toError(response: Response): Promise<AdminApiError> {
  try {
    const { error } = (await response.json()) as { error?: { code?: unknown; message?: unknown } };
    if (error && typeof error.code === 'string' && typeof error.message === 'string') {
      return new AdminApiError(response.status, error.code, error.message);
    }
  } catch {
    // Not our JSON (a proxy's error page): the status is all there is.
  }
  return new AdminApiError(response.status, 'http-error', `the server answered ${response.status}`);
}
