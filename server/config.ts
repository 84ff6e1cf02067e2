/**
 * The only module that reads process.env. Flags and environment are parsed and validated once at
 * start-up into a frozen ServerConfig that is passed to everything else; a bad value fails with
 * the flag and variable it came from.
 */
import { parseArgs } from 'node:util';
import path from 'node:path';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface ServerConfig {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  readonly logLevel: LogLevel;
  /** Path before the document name, '' or like '/collab'. */
  readonly pathPrefix: string;
  /** Folder of the built client served at '/', or null for the placeholder page. */
  readonly clientDir: string | null;
  readonly fsync: boolean;
  readonly pingIntervalMs: number;
  readonly shutdownTimeoutMs: number;
  readonly limits: Readonly<{
    maxMessageBytes: number;
    maxBufferedBytes: number;
    /** Unsent bytes of all connections together; beyond it the biggest holders are dropped (1013). */
    maxTotalBufferedBytes: number;
    maxConnections: number;
    maxConnectionsPerDoc: number;
    maxConnectionsPerIp: number;
    /** Upgrade requests waiting for their token to be verified (the pre-auth queue). */
    maxPendingUpgrades: number;
    /** What one connection may send before its document is loaded (the pre-load queue). */
    maxEarlyMessages: number;
    maxEarlyBytes: number;
    /** Per connection: sustained rates; bursts of twice as much (bytes: at least one max message). */
    messagesPerSecond: number;
    bytesPerSecond: number;
    awarenessPerSecond: number;
    /** A connection held back by the rate limits for this long without a break is closed (4429). */
    throttleCloseAfterMs: number;
    /** Document changes a read-only connection may attempt before it is closed (1008). */
    maxRefusedWrites: number;
    /** Bytes of one awareness state (a connection's presence JSON); larger ones close it (1009). */
    maxAwarenessStateBytes: number;
    /** Awareness client ids one connection may introduce (1008 beyond). */
    maxAwarenessIds: number;
    /** Awareness changes refused for another connection's ids before the connection is closed (1008). */
    maxRefusedAwareness: number;
  }>;
  readonly compaction: Readonly<{ maxLogEntries: number; maxLogBytes: number }>;
  /**
   * Where documents live and how processes share them: LevelDB in dataDir by default; PostgreSQL
   * (databaseUrl) for one process; PostgreSQL plus Redis (redisUrl) for a cluster member.
   */
  readonly cluster: Readonly<{
    databaseUrl: string | null;
    /** PostgreSQL schema holding Tandem's tables (created and migrated at start). */
    databaseSchema: string;
    redisUrl: string | null;
    /** Prefix of every Redis channel this process uses; members of one cluster share it. */
    redisKeyPrefix: string;
  }>;
  readonly auth: AuthConfig;
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

/** How tokens are verified; `mode: 'open'` means no auth at all (local development). */
export type AuthConfig = Readonly<{
  mode: 'open' | 'jwt';
  /** HS256/384/512 shared secret (TANDEM_AUTH_SECRET, environment only). */
  secret: string | null;
  /** PEM public key (SPKI) or X.509 certificate file. */
  publicKeyFile: string | null;
  jwksUrl: string | null;
  /** Accepted `alg` header values; never `none`. */
  algorithms: readonly string[];
  issuer: string | null;
  audience: string | null;
  /** Revocations survive restarts when this file is set. */
  revocationsFile: string | null;
}>

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

type Kind = 'port' | 'int' | 'string' | 'bool' | 'level' | 'prefix';

interface OptionSpec {
  flag: string;
  env: string;
  kind: Kind;
  default: string;
  help: string;
  /** Secrets are read from the environment only: command lines show up in `ps`. */
  envOnly?: boolean;
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
];

const HMAC_ALGORITHMS = ['HS256', 'HS384', 'HS512'];
const ASYMMETRIC_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];
const MIN_SECRET_LENGTH = 32;

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Parses `tandem serve` flags (argv without the command) over the environment. */
export function parseServeConfig(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): ServerConfig {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: Object.fromEntries(
        SERVE_OPTIONS.filter((o) => !o.envOnly).map((o) => [o.flag, { type: o.kind === 'bool' ? 'boolean' : 'string' }]),
      ),
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new ConfigError(error instanceof Error ? error.message : String(error));
  }
  const read = (flag: string): unknown => {
    const spec = SERVE_OPTIONS.find((o) => o.flag === flag)!;
    const fromFlag = values[flag];
    const raw = fromFlag === undefined ? (env[spec.env] ?? spec.default) : String(fromFlag);
    const source = fromFlag === undefined ? spec.env : `--${flag}`;
    return convert(spec, raw, source);
  };
  const clientDir = read('client-dir') as string;
  const config: ServerConfig = {
    port: read('port') as number,
    host: read('host') as string,
    dataDir: path.resolve(read('data-dir') as string),
    logLevel: read('log-level') as LogLevel,
    pathPrefix: read('path-prefix') as string,
    clientDir: clientDir === '' ? null : path.resolve(clientDir),
    fsync: read('fsync') as boolean,
    pingIntervalMs: read('ping-interval-ms') as number,
    shutdownTimeoutMs: read('shutdown-timeout-ms') as number,
    compaction: Object.freeze({
      maxLogEntries: read('compact-log-entries') as number,
      maxLogBytes: read('compact-log-bytes') as number,
    }),
    cluster: parseCluster(read),
    ...parseSecurity(read),
  };
  validateSecurity(config);
  return Object.freeze(config);
}

type Read = (flag: string) => unknown;

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

function parseCluster(read: Read): ServerConfig['cluster'] {
  const url = (flag: string, variable: string, protocols: string[]): string | null => {
    const value = (read(flag) as string).trim();
    if (value === '') return null;
    let protocol: string;
    try {
      protocol = new URL(value).protocol;
    } catch {
      throw new ConfigError(`invalid ${variable} / --${flag}: not a URL (expected ${protocols.map((p) => `${p}//…`).join(' or ')})`);
    }
    if (!protocols.includes(protocol)) {
      throw new ConfigError(`invalid ${variable} / --${flag}: ${protocol}// is not one of ${protocols.map((p) => `${p}//`).join(', ')}`);
    }
    return value;
  };
  const databaseUrl = url('database-url', 'DATABASE_URL', ['postgres:', 'postgresql:']);
  const redisUrl = url('redis-url', 'REDIS_URL', ['redis:', 'rediss:']);
  if (redisUrl !== null && databaseUrl === null) {
    throw new ConfigError('REDIS_URL / --redis-url needs DATABASE_URL / --database-url: cluster members share documents through PostgreSQL');
  }
  const databaseSchema = read('database-schema') as string;
  if (!SCHEMA_NAME.test(databaseSchema)) {
    throw new ConfigError(`invalid TANDEM_DATABASE_SCHEMA / --database-schema: ${JSON.stringify(databaseSchema)} is not a lower-case SQL name`);
  }
  const redisKeyPrefix = read('redis-key-prefix') as string;
  if (!/^[A-Za-z0-9:_-]{1,64}$/.test(redisKeyPrefix)) {
    throw new ConfigError(`invalid TANDEM_REDIS_KEY_PREFIX / --redis-key-prefix: ${JSON.stringify(redisKeyPrefix)} (letters, digits, ':', '_', '-')`);
  }
  return Object.freeze({ databaseUrl, databaseSchema, redisUrl, redisKeyPrefix });
}

function parseSecurity(read: Read): Pick<ServerConfig, 'auth' | 'allowedOrigins' | 'allowedHosts' | 'insecure' | 'trustProxy' | 'tls'> & {
  limits: ServerConfig['limits'];
} {
  const optional = (flag: string): string | null => {
    const value = (read(flag) as string).trim();
    return value === '' ? null : value;
  };
  const list = (flag: string): string[] | null => {
    const value = optional(flag);
    return value === null ? null : value.split(',').map((item) => item.trim()).filter((item) => item !== '');
  };
  const secret = optional('auth-secret');
  const publicKeyFile = optional('auth-public-key');
  const jwksUrl = optional('auth-jwks-url');
  const sources = [secret && 'TANDEM_AUTH_SECRET', publicKeyFile && 'TANDEM_AUTH_PUBLIC_KEY_FILE', jwksUrl && 'TANDEM_AUTH_JWKS_URL'].filter(Boolean);
  if (sources.length > 1) throw new ConfigError(`set only one of ${sources.join(', ')}`);
  if (secret !== null && secret.length < MIN_SECRET_LENGTH) {
    throw new ConfigError(`invalid TANDEM_AUTH_SECRET: at least ${MIN_SECRET_LENGTH} characters are needed for HS256`);
  }
  if (jwksUrl !== null && !/^https?:\/\/[^\s]+$/.test(jwksUrl)) {
    throw new ConfigError(`invalid TANDEM_AUTH_JWKS_URL / --auth-jwks-url: ${JSON.stringify(jwksUrl)} is not an http(s) URL`);
  }
  const allowed = secret !== null ? HMAC_ALGORITHMS : ASYMMETRIC_ALGORITHMS;
  const algorithms = list('auth-algorithms') ?? (secret !== null ? ['HS256'] : ['RS256', 'ES256', 'EdDSA']);
  for (const alg of algorithms) {
    if (!allowed.includes(alg)) {
      throw new ConfigError(
        `invalid TANDEM_AUTH_ALGORITHMS / --auth-algorithms: ${JSON.stringify(alg)} is not one of ${allowed.join(', ')} for this kind of key`,
      );
    }
  }
  const allowedOrigins = list('allowed-origins');
  for (const origin of allowedOrigins ?? []) {
    if (!/^https?:\/\/[^/\s]+$/.test(origin)) {
      throw new ConfigError(`invalid TANDEM_ALLOWED_ORIGINS / --allowed-origins: ${JSON.stringify(origin)} is not an origin like https://app.example.com`);
    }
  }
  const allowedHosts = list('allowed-hosts')?.map((host) => normalizeHostName(host)) ?? null;
  const certFile = optional('tls-cert');
  const keyFile = optional('tls-key');
  if ((certFile === null) !== (keyFile === null)) throw new ConfigError('set both --tls-cert (TANDEM_TLS_CERT) and --tls-key (TANDEM_TLS_KEY), or neither');
  const resolve = (file: string | null): string | null => (file === null ? null : path.resolve(file));
  return {
    auth: Object.freeze({
      mode: sources.length === 0 ? 'open' : 'jwt',
      secret,
      publicKeyFile: resolve(publicKeyFile),
      jwksUrl,
      algorithms: Object.freeze(algorithms),
      issuer: optional('auth-issuer'),
      audience: optional('auth-audience'),
      revocationsFile: resolve(optional('revocations-file')),
    }),
    allowedOrigins: allowedOrigins === null ? null : Object.freeze(allowedOrigins.map((origin) => origin.toLowerCase())),
    allowedHosts: allowedHosts === null ? null : Object.freeze(allowedHosts),
    insecure: read('insecure') as boolean,
    trustProxy: read('trust-proxy') as boolean,
    tls: certFile !== null && keyFile !== null ? Object.freeze({ certFile: path.resolve(certFile), keyFile: path.resolve(keyFile) }) : null,
    limits: Object.freeze({
      maxMessageBytes: read('max-message-bytes') as number,
      maxBufferedBytes: read('max-buffered-bytes') as number,
      maxTotalBufferedBytes: read('max-total-buffered-bytes') as number,
      maxConnections: read('max-connections') as number,
      maxConnectionsPerDoc: read('max-connections-per-doc') as number,
      maxConnectionsPerIp: read('max-connections-per-ip') as number,
      maxPendingUpgrades: read('max-pending-upgrades') as number,
      maxEarlyMessages: read('max-early-messages') as number,
      maxEarlyBytes: read('max-early-bytes') as number,
      messagesPerSecond: read('max-messages-per-second') as number,
      bytesPerSecond: read('max-bytes-per-second') as number,
      awarenessPerSecond: read('max-awareness-per-second') as number,
      throttleCloseAfterMs: read('throttle-close-after-ms') as number,
      maxRefusedWrites: read('max-refused-writes') as number,
      maxAwarenessStateBytes: read('max-awareness-state-bytes') as number,
      maxAwarenessIds: read('max-awareness-ids') as number,
      maxRefusedAwareness: read('max-refused-awareness') as number,
    }),
  };
}

function validateSecurity(config: ServerConfig): void {
  if (config.auth.mode === 'open' && !config.insecure && !isLoopbackHost(config.host)) {
    throw new ConfigError(
      `refusing to bind HOST/--host ${config.host} without auth: set TANDEM_AUTH_SECRET (or a public key / JWKS URL), ` +
        'or pass --insecure (TANDEM_INSECURE=1) to let anyone who can reach it read and write every document',
    );
  }
  if (config.auth.mode === 'open' && !isLoopbackHost(config.host) && config.allowedHosts === null) {
    // Without auth only loopback Host names are served (DNS rebinding), which nobody else uses.
    throw new ConfigError(
      `--insecure on HOST/--host ${config.host} needs TANDEM_ALLOWED_HOSTS / --allowed-hosts: the names clients use to reach ` +
        'this server (without auth only localhost, 127.0.0.1 and [::1] are served otherwise), or * for any',
    );
  }
  if (config.limits.maxTotalBufferedBytes < config.limits.maxBufferedBytes) {
    throw new ConfigError('invalid TANDEM_MAX_TOTAL_BUFFERED_BYTES / --max-total-buffered-bytes: must be at least --max-buffered-bytes');
  }
  if (config.limits.maxEarlyBytes < config.limits.maxMessageBytes) {
    throw new ConfigError('invalid TANDEM_MAX_EARLY_BYTES / --max-early-bytes: must be at least --max-message-bytes');
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

function convert(spec: OptionSpec, raw: string, source: string): unknown {
  const fail = (expected: string): never => {
    throw new ConfigError(`invalid ${source}: ${JSON.stringify(raw)} is not ${expected}`);
  };
  switch (spec.kind) {
    case 'port': {
      const port = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
      return Number.isInteger(port) && port <= 65535 ? port : fail('a port number (0-65535)');
    }
    case 'int': {
      const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
      return Number.isSafeInteger(value) && value > 0 ? value : fail('a positive integer');
    }
    case 'bool':
      if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
      if (['0', 'false', 'no', 'off', ''].includes(raw)) return false;
      return fail('a boolean (true/false/1/0)');
    case 'level':
      return (LOG_LEVELS as readonly string[]).includes(raw) ? raw : fail(`one of ${LOG_LEVELS.join(', ')}`);
    case 'prefix':
      return raw === '' || /^(\/[A-Za-z0-9._-]+)+$/.test(raw) ? raw : fail("'' or a path like /collab");
    case 'string':
      return raw;
  }
}

export function renderServeHelp(): string {
  const lines = SERVE_OPTIONS.map((o) => {
    const flag = o.envOnly ? `  ${o.env}` : `  --${o.flag}${o.kind === 'bool' ? '' : ' <value>'}`;
    const fallback = o.default === '' ? '' : ` (default ${o.default})`;
    return `${flag.padEnd(38)}${o.help}${fallback}${o.envOnly ? ' [environment only]' : ` [env ${o.env}]`}`;
  });
  return ['Usage: tandem serve [options]', '', 'Options (flags win over environment variables):', ...lines].join('\n');
}
