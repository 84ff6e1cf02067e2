/**
 * The JSON of `GET /api/admin/overview` (server/http/admin-overview.ts), shared with the admin
 * page that shows it (client/app/admin-page.ts).
 */

/** One open WebSocket connection. */
export interface ConnectionSummary {
  /** `c1`, `c2` … the `connId` of its log lines, unique within the process. */
  id: string;
  /** The token's subject; "anonymous" in open mode. */
  sub: string;
  /** The token's `name` claim, or null. */
  name: string | null;
  access: 'read-write' | 'read-only';
  /** ISO time the WebSocket opened. */
  connectedAt: string;
  /** The client's address (the last `X-Forwarded-For` entry with `--trust-proxy`). */
  remoteAddress: string;
}

export interface DocumentOverview {
  name: string;
  /** False while the document is still loading for the connections listed. */
  loaded: boolean;
  /** Open connections to it; `connections` lists the first 100 (oldest first). */
  connectionCount: number;
  connections: ConnectionSummary[];
  /** Leases server code holds on the live document (HTTP edits, exports of the live copy). */
  leases: number;
}

export interface StoreSummary {
  documents: number;
  /** Snapshot plus log bytes of every stored document, as the store lists them. */
  bytes: number;
  /** ISO time the listing was read (it is re-read at most every 10 s). */
  measuredAt: string;
}

/** A warn, error or fatal log line, reduced to a few short fields. */
export interface RecentError {
  /** ISO time of the log line. */
  time: string;
  level: 'warn' | 'error' | 'fatal';
  msg: string;
  doc?: string;
  connId?: string;
  reqId?: string;
  /** A close code (number) or an error code (string), when the line has one. */
  code?: number | string;
  /** Why, in a word (a ProtocolError's code on a bad frame's line). */
  reason?: string;
  /** The logged error's message (`err.message`); never its stack. */
  error?: string;
}

export interface AdminOverview {
  /** Loaded documents and those connections wait for: the 200 with the most connections, then by name. */
  documents: DocumentOverview[];
  /** Over every document and connection, listed or not. */
  totals: { documents: number; connections: number };
  /** Null when the store could not list its documents (`storeError` says why). */
  store: StoreSummary | null;
  storeError?: string;
  /** The last warn/error log lines of this process (at most 100), newest first. */
  recentErrors: RecentError[];
}
