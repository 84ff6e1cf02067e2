/**
 * Where documents live and how processes share them: LevelDB in the data folder by default,
 * PostgreSQL (--database-url) for one process, PostgreSQL plus Redis (--redis-url) for a cluster
 * member. Checked here so a member never starts with Redis but no shared store.
 */
import { ConfigError } from './config-error.js';
import { readOptional, type ReadOption } from './read-serve-options.js';

export type ClusterConfig = Readonly<{
  databaseUrl: string | null;
  /** PostgreSQL schema holding Tandem's tables (created and migrated at start). */
  databaseSchema: string;
  redisUrl: string | null;
  /** Prefix of every Redis channel this process uses; members of one cluster share it. */
  redisKeyPrefix: string;
}>;

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export function parseClusterConfig(read: ReadOption): ClusterConfig {
  const url = (flag: string, variable: string, protocols: string[]): string | null => {
    const value = readOptional(read, flag);
    if (value === null) return null;
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
