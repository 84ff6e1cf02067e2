/**
 * The only module that reads process.env. Flags and environment are parsed and validated once at
 * start-up into a frozen ServerConfig that is passed to everything else; a bad value fails with
 * the flag and variable it came from.
 *
 * This module assembles the sections; each lives in config/: the option table and --help
 * (serve-options.ts), reading and converting values (read-serve-options.ts), and the limits,
 * cluster, auth and network sections with their checks.
 */
import path from 'node:path';
import { parseAuthConfig, type AuthConfig } from './config/auth-config.js';
import { parseClusterConfig, type ClusterConfig } from './config/cluster-config.js';
import { parseHistoryConfig, type HistoryConfig } from './config/history-config.js';
import { checkLimits, parseLimitsConfig, type LimitsConfig } from './config/limits-config.js';
import { checkOpenModeExposure, parseNetworkConfig, type NetworkConfig } from './config/network-config.js';
import { parseOpsConfig, type OpsConfig } from './config/ops-config.js';
import { readServeOptions, type LogLevel } from './config/read-serve-options.js';
import { parseWebhookConfig, type WebhookConfig } from './config/webhook-config.js';

export { ConfigError } from './config/config-error.js';
export { isLoopbackHost } from './config/network-config.js';
export { renderServeHelp, SERVE_OPTIONS } from './config/serve-options.js';
export type { AuthConfig, ClusterConfig, HistoryConfig, LimitsConfig, LogLevel, NetworkConfig, OpsConfig, WebhookConfig };

export interface ServerConfig extends NetworkConfig, OpsConfig {
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
  readonly limits: LimitsConfig;
  readonly compaction: Readonly<{ maxLogEntries: number; maxLogBytes: number }>;
  /** When automatic versions are cut and how many are kept. */
  readonly history: HistoryConfig;
  /**
   * Where documents live and how processes share them: LevelDB in dataDir by default; PostgreSQL
   * (databaseUrl) for one process; PostgreSQL plus Redis (redisUrl) for a cluster member.
   */
  readonly cluster: ClusterConfig;
  readonly auth: AuthConfig;
  /** Signed document events (created, changed, deleted) sent to these URLs; off when none. */
  readonly webhooks: WebhookConfig;
}

/** Parses `tandem serve` flags (argv without the command) over the environment. */
export function parseServeConfig(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): ServerConfig {
  const read = readServeOptions(argv, env);
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
    history: parseHistoryConfig(read),
    cluster: parseClusterConfig(read),
    // Read in this order (auth, network, limits) so the first bad value reported stays the same.
    auth: parseAuthConfig(read),
    ...parseNetworkConfig(read),
    limits: parseLimitsConfig(read),
    ...parseOpsConfig(read),
    webhooks: parseWebhookConfig(read),
  };
  checkOpenModeExposure(config.host, config.auth.mode, config);
  checkLimits(config.limits);
  return Object.freeze(config);
}
