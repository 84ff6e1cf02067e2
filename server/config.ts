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
    maxConnections: number;
    maxConnectionsPerDoc: number;
  }>;
  readonly compaction: Readonly<{ maxLogEntries: number; maxLogBytes: number }>;
}

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
  { flag: 'max-connections', env: 'TANDEM_MAX_CONNECTIONS', kind: 'int', default: '20000', help: 'connections per process' },
  { flag: 'max-connections-per-doc', env: 'TANDEM_MAX_CONNECTIONS_PER_DOC', kind: 'int', default: '2000', help: 'connections per document' },
  { flag: 'compact-log-entries', env: 'TANDEM_COMPACT_LOG_ENTRIES', kind: 'int', default: '500', help: 'compact when the update log has this many entries' },
  { flag: 'compact-log-bytes', env: 'TANDEM_COMPACT_LOG_BYTES', kind: 'int', default: String(4 * MiB), help: 'compact when the update log has this many bytes' },
];

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Parses `tandem serve` flags (argv without the command) over the environment. */
export function parseServeConfig(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): ServerConfig {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: Object.fromEntries(SERVE_OPTIONS.map((o) => [o.flag, { type: o.kind === 'bool' ? 'boolean' : 'string' }])),
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
    limits: Object.freeze({
      maxMessageBytes: read('max-message-bytes') as number,
      maxBufferedBytes: read('max-buffered-bytes') as number,
      maxConnections: read('max-connections') as number,
      maxConnectionsPerDoc: read('max-connections-per-doc') as number,
    }),
    compaction: Object.freeze({
      maxLogEntries: read('compact-log-entries') as number,
      maxLogBytes: read('compact-log-bytes') as number,
    }),
  };
  return Object.freeze(config);
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
    const flag = `  --${o.flag}${o.kind === 'bool' ? '' : ' <value>'}`;
    const fallback = o.default === '' ? '' : ` (default ${o.default})`;
    return `${flag.padEnd(36)}${o.help}${fallback} [env ${o.env}]`;
  });
  return ['Usage: tandem serve [options]', '', 'Options (flags win over environment variables):', ...lines].join('\n');
}
