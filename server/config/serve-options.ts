/**
 * The table of `tandem serve` options: flag, environment variable, kind, default and help. One
 * table drives both parsing (read-serve-options.ts) and `tandem serve --help`, so the two cannot
 * drift apart.
 */

export type OptionKind = 'port' | 'int' | 'string' | 'bool' | 'level' | 'prefix';

export interface OptionSpec {
  flag: string;
  env: string;
  kind: OptionKind;
  default: string;
  help: string;
  /** Secrets are read from the environment only: command lines show up in `ps`. */
  envOnly?: boolean;
  /** The flag may be given several times; the values are joined with commas, like its variable's list. */
  repeatable?: boolean;
}

const MiB = 1024 * 1024;

/** Every serve option; the table also renders `tandem serve --help`. */
export const SERVE_OPTIONS: readonly OptionSpec[] = [
  { flag: 'port', env: 'PORT', kind: 'port', default: '1234', help: 'TCP port (0 picks a free one)' },
  { flag: 'host', env: 'HOST', kind: 'string', default: '127.0.0.1', help: 'address to bind' },
  { flag: 'data-dir', env: 'TANDEM_DATA_DIR', kind: 'string', default: './data', help: 'LevelDB folder' },
  { flag: 'log-level', env: 'LOG_LEVEL', kind: 'level', default: 'info', help: 'fatal|error|warn|info|debug|trace|silent' },
  { flag: 'path-prefix', env: 'TANDEM_PATH_PREFIX', kind: 'prefix', default: '', help: "WebSocket path prefix, e.g. '/collab'" },
  { flag: 'client-dir', env: 'TANDEM_CLIENT_DIR', kind: 'string', default: '', help: 'built client to serve (default: dist/client)' },
  { flag: 'fsync', env: 'TANDEM_FSYNC', kind: 'bool', default: 'false', help: 'fsync every write (survives power loss)' },
  { flag: 'ping-interval-ms', env: 'TANDEM_PING_INTERVAL_MS', kind: 'int', default: '30000', help: 'keepalive ping interval' },
  { flag: 'shutdown-timeout-ms', env: 'TANDEM_SHUTDOWN_TIMEOUT_MS', kind: 'int', default: '30000', help: 'longest wait for writes on shutdown' },
  { flag: 'max-message-bytes', env: 'TANDEM_MAX_MESSAGE_BYTES', kind: 'int', default: String(32 * MiB), help: 'largest WebSocket message' },
  { flag: 'max-buffered-bytes', env: 'TANDEM_MAX_BUFFERED_BYTES', kind: 'int', default: String(64 * MiB), help: 'outbound buffer before a slow reader is closed (1013)' },
  { flag: 'max-total-buffered-bytes', env: 'TANDEM_MAX_TOTAL_BUFFERED_BYTES', kind: 'int', default: String(256 * MiB), help: 'unsent bytes of all connections together; beyond it the readers holding the most are dropped (1013)' },
  { flag: 'max-connections', env: 'TANDEM_MAX_CONNECTIONS', kind: 'int', default: '20000', help: 'connections per process' },
  { flag: 'max-connections-per-doc', env: 'TANDEM_MAX_CONNECTIONS_PER_DOC', kind: 'int', default: '2000', help: 'connections per document' },
  { flag: 'compact-log-entries', env: 'TANDEM_COMPACT_LOG_ENTRIES', kind: 'int', default: '500', help: 'compact when the update log has this many entries' },
  { flag: 'compact-log-bytes', env: 'TANDEM_COMPACT_LOG_BYTES', kind: 'int', default: String(4 * MiB), help: 'compact when the update log has this many bytes' },
  { flag: 'history-quiet-ms', env: 'TANDEM_HISTORY_QUIET_MS', kind: 'int', default: '30000', help: 'cut an automatic version once a document has been quiet this long after changes' },
  { flag: 'history-max-interval-ms', env: 'TANDEM_HISTORY_MAX_INTERVAL_MS', kind: 'int', default: '600000', help: 'cut an automatic version at least this often during continuous editing' },
  { flag: 'history-max-versions', env: 'TANDEM_HISTORY_MAX_VERSIONS', kind: 'int', default: '500', help: 'automatic versions kept per document (thinned by age first; named ones are always kept)' },
  { flag: 'max-connections-per-ip', env: 'TANDEM_MAX_CONNECTIONS_PER_IP', kind: 'int', default: '1000', help: 'connections per client address, loopback exempt (429 beyond)' },
  { flag: 'max-pending-upgrades', env: 'TANDEM_MAX_PENDING_UPGRADES', kind: 'int', default: '1000', help: 'upgrades waiting for token verification (503 beyond)' },
  { flag: 'max-early-messages', env: 'TANDEM_MAX_EARLY_MESSAGES', kind: 'int', default: '256', help: 'messages a connection may queue before its document loads (1013 beyond)' },
  { flag: 'max-early-bytes', env: 'TANDEM_MAX_EARLY_BYTES', kind: 'int', default: String(64 * MiB), help: 'bytes a connection may queue before its document loads (1013 beyond)' },
  { flag: 'max-messages-per-second', env: 'TANDEM_MAX_MESSAGES_PER_SECOND', kind: 'int', default: '20000', help: 'per connection; faster senders are paused, not dropped' },
  { flag: 'max-bytes-per-second', env: 'TANDEM_MAX_BYTES_PER_SECOND', kind: 'int', default: String(16 * MiB), help: 'per connection; faster senders are paused, not dropped' },
  { flag: 'max-awareness-per-second', env: 'TANDEM_MAX_AWARENESS_PER_SECOND', kind: 'int', default: '100', help: 'awareness updates per connection; faster senders are paused' },
  { flag: 'throttle-close-after-ms', env: 'TANDEM_THROTTLE_CLOSE_AFTER_MS', kind: 'int', default: '120000', help: 'close (4429) a connection throttled this long without a break' },
  { flag: 'max-refused-writes', env: 'TANDEM_MAX_REFUSED_WRITES', kind: 'int', default: '10', help: 'document changes a read-only connection may attempt (1008 beyond)' },
  { flag: 'max-awareness-state-bytes', env: 'TANDEM_MAX_AWARENESS_STATE_BYTES', kind: 'int', default: '16384', help: "largest awareness state of one client (1009 beyond)" },
  { flag: 'max-awareness-ids', env: 'TANDEM_MAX_AWARENESS_IDS', kind: 'int', default: '4', help: 'awareness client ids one connection may introduce (1008 beyond)' },
  { flag: 'max-refused-awareness', env: 'TANDEM_MAX_REFUSED_AWARENESS', kind: 'int', default: '10', help: "changes to other connections' presence refused before closing (1008)" },
  { flag: 'http-replay-bytes', env: 'TANDEM_HTTP_REPLAY_BYTES', kind: 'int', default: String(4 * MiB), help: 'per HTTP fallback session: recent downstream bytes kept to resume a dropped stream' },
  { flag: 'database-url', env: 'DATABASE_URL', kind: 'string', default: '', help: 'PostgreSQL URL: store documents there instead of LevelDB (with --redis-url: cluster member)' },
  { flag: 'database-schema', env: 'TANDEM_DATABASE_SCHEMA', kind: 'string', default: 'tandem', help: 'PostgreSQL schema for Tandem tables (created at start)' },
  { flag: 'redis-url', env: 'REDIS_URL', kind: 'string', default: '', help: 'Redis URL for live fan-out between cluster members (needs --database-url)' },
  { flag: 'redis-key-prefix', env: 'TANDEM_REDIS_KEY_PREFIX', kind: 'string', default: 'tandem:', help: 'prefix of Redis channels; one per cluster' },
  { flag: 'auth-secret', env: 'TANDEM_AUTH_SECRET', kind: 'string', default: '', help: 'HS256 shared secret, at least 32 characters', envOnly: true },
  { flag: 'auth-public-key', env: 'TANDEM_AUTH_PUBLIC_KEY_FILE', kind: 'string', default: '', help: 'PEM public key or certificate file (RS/PS/ES/EdDSA tokens)' },
  { flag: 'auth-jwks-url', env: 'TANDEM_AUTH_JWKS_URL', kind: 'string', default: '', help: 'JWKS URL (RS/PS/ES/EdDSA tokens)' },
  { flag: 'auth-algorithms', env: 'TANDEM_AUTH_ALGORITHMS', kind: 'string', default: '', help: 'comma-separated JWT algorithms (default HS256 for a secret, RS256,ES256,EdDSA for keys)' },
  { flag: 'auth-issuer', env: 'TANDEM_AUTH_ISSUER', kind: 'string', default: '', help: 'required `iss` claim' },
  { flag: 'auth-audience', env: 'TANDEM_AUTH_AUDIENCE', kind: 'string', default: '', help: 'required `aud` claim' },
  { flag: 'revocations-file', env: 'TANDEM_REVOCATIONS_FILE', kind: 'string', default: '', help: 'JSON file keeping revocations across restarts' },
  { flag: 'allowed-origins', env: 'TANDEM_ALLOWED_ORIGINS', kind: 'string', default: '', help: 'comma-separated origins allowed to open WebSockets besides the server\'s own (default: any with auth, none without)' },
  { flag: 'allowed-hosts', env: 'TANDEM_ALLOWED_HOSTS', kind: 'string', default: '', help: 'comma-separated Host names (any port) served besides localhost, 127.0.0.1, [::1]; * for any (default: any with auth, none without)' },
  { flag: 'insecure', env: 'TANDEM_INSECURE', kind: 'bool', default: 'false', help: 'allow a non-loopback --host without auth (needs --allowed-hosts)' },
  { flag: 'trust-proxy', env: 'TANDEM_TRUST_PROXY', kind: 'bool', default: 'false', help: 'client address from X-Forwarded-For (behind one reverse proxy)' },
  { flag: 'tls-cert', env: 'TANDEM_TLS_CERT', kind: 'string', default: '', help: 'PEM certificate file: serve https:// and wss://' },
  { flag: 'tls-key', env: 'TANDEM_TLS_KEY', kind: 'string', default: '', help: 'PEM private key file for --tls-cert' },
  { flag: 'metrics-port', env: 'TANDEM_METRICS_PORT', kind: 'string', default: '', help: 'serve GET /metrics on this port too, without a token (0 picks a free one; default: only on the main port, admin token needed)' },
  { flag: 'metrics-host', env: 'TANDEM_METRICS_HOST', kind: 'string', default: '127.0.0.1', help: 'address the --metrics-port listener binds' },
  { flag: 'webhook-url', env: 'TANDEM_WEBHOOK_URLS', kind: 'string', default: '', help: 'http(s) URL receiving signed document events; repeat the flag (or comma-separate the variable) for several', repeatable: true },
  { flag: 'webhook-secret', env: 'TANDEM_WEBHOOK_SECRET', kind: 'string', default: '', help: 'Standard Webhooks signing secret (whsec_ + base64, at least 24 bytes)', envOnly: true },
];

export function renderServeHelp(): string {
  const lines = SERVE_OPTIONS.map((o) => {
    const flag = o.envOnly ? `  ${o.env}` : `  --${o.flag}${o.kind === 'bool' ? '' : ' <value>'}`;
    const fallback = o.default === '' ? '' : ` (default ${o.default})`;
    return `${flag.padEnd(38)}${o.help}${fallback}${o.envOnly ? ' [environment only]' : ` [env ${o.env}]`}`;
  });
  return ['Usage: tandem serve [options]', '', 'Options (flags win over environment variables):', ...lines].join('\n');
}
