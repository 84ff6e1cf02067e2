import { describe, expect, it } from 'vitest';
import { ConfigError, parseServeConfig, renderServeHelp } from './config.js';

describe('parseServeConfig', () => {
  it('has working defaults and a frozen result', () => {
    const config = parseServeConfig([], {});
    expect(config.port).toBe(1234);
    expect(config.host).toBe('127.0.0.1');
    expect(config.dataDir.endsWith('/data')).toBe(true);
    expect(config.limits.maxMessageBytes).toBeGreaterThan(0);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.limits)).toBe(true);
  });

  it('reads the environment, and flags win over it', () => {
    const env = { PORT: '4000', TANDEM_DATA_DIR: '/tmp/x', LOG_LEVEL: 'debug', TANDEM_PATH_PREFIX: '/collab' };
    expect(parseServeConfig([], env)).toMatchObject({ port: 4000, dataDir: '/tmp/x', logLevel: 'debug', pathPrefix: '/collab' });
    expect(parseServeConfig(['--port', '5000', '--data-dir', '/tmp/y'], env)).toMatchObject({ port: 5000, dataDir: '/tmp/y' });
  });

  it('fails start-up naming the variable or flag a bad value came from', () => {
    expect(() => parseServeConfig([], { PORT: 'eighty' })).toThrow(/invalid PORT: "eighty"/);
    expect(() => parseServeConfig(['--port', '70000'], {})).toThrow(/invalid --port/);
    expect(() => parseServeConfig([], { TANDEM_MAX_MESSAGE_BYTES: '-5' })).toThrow(/TANDEM_MAX_MESSAGE_BYTES/);
    expect(() => parseServeConfig([], { LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL/);
    expect(() => parseServeConfig([], { TANDEM_PATH_PREFIX: 'collab/../x' })).toThrow(/TANDEM_PATH_PREFIX/);
    expect(() => parseServeConfig(['--no-such-flag'], {})).toThrow(ConfigError);
  });

  it('has no metrics listener by default, binds one on loopback with --metrics-port, and refuses a bad port', () => {
    expect(parseServeConfig([], {}).metricsListener).toBeNull();
    expect(parseServeConfig(['--metrics-port', '9464'], {}).metricsListener).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(parseServeConfig([], { TANDEM_METRICS_PORT: '0', TANDEM_METRICS_HOST: '10.0.0.5' }).metricsListener).toEqual({ host: '10.0.0.5', port: 0 });
    expect(() => parseServeConfig(['--metrics-port', '99999'], {})).toThrow(/--metrics-port/);
  });

  it('selects LevelDB by default, PostgreSQL with DATABASE_URL, and a cluster member with REDIS_URL too', () => {
    expect(parseServeConfig([], {}).cluster).toMatchObject({ databaseUrl: null, redisUrl: null });
    const single = parseServeConfig([], { DATABASE_URL: 'postgres://127.0.0.1:5432/test' }).cluster;
    expect(single).toMatchObject({ databaseUrl: 'postgres://127.0.0.1:5432/test', redisUrl: null, databaseSchema: 'tandem' });
    const member = parseServeConfig(['--database-url', 'postgresql://db/x', '--redis-url', 'redis://127.0.0.1:6379'], {}).cluster;
    expect(member).toMatchObject({ databaseUrl: 'postgresql://db/x', redisUrl: 'redis://127.0.0.1:6379', redisKeyPrefix: 'tandem:' });
    expect(() => parseServeConfig([], { REDIS_URL: 'redis://127.0.0.1:6379' })).toThrow(/needs DATABASE_URL/);
    expect(() => parseServeConfig([], { DATABASE_URL: 'mysql://x/y' })).toThrow(/DATABASE_URL/);
    expect(() => parseServeConfig(['--database-url', 'postgres://x/y', '--database-schema', 'Drop;'], {})).toThrow(/TANDEM_DATABASE_SCHEMA/);
  });

  it('documents every option with its environment variable in --help', () => {
    const help = renderServeHelp();
    for (const name of ['--port', 'PORT', '--data-dir', 'TANDEM_DATA_DIR', '--log-level', 'LOG_LEVEL', '--host', 'HOST']) {
      expect(help).toContain(name);
    }
  });
});
