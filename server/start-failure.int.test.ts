/**
 * A start that fails after the engines opened (its port is taken) releases them: the LevelDB
 * folder can be opened again at once, which it cannot while a failed start still holds its lock.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseServeConfig } from './config.js';
import { createLogger } from './logger.js';
import { startServer } from './main.js';
import { createLeveldbStore } from './persistence/leveldb-store.js';
import { startTestServer, type TestServer } from './test-support/test-server.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('a failed start', () => {
  it('on a port already in use rejects and closes the store it opened', async () => {
    const running: TestServer = await startTestServer();
    cleanups.push(() => running.dispose());
    const dataDir = await mkdtemp(path.join(tmpdir(), 'tandem-start-failure-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const config = parseServeConfig(['--port', String(running.server.port), '--data-dir', dataDir, '--log-level', 'silent'], {});

    await expect(startServer(config, { logger: createLogger('silent') })).rejects.toThrow(/EADDRINUSE/);
    // The failed start's LevelDB lock is gone: the folder opens again.
    const reopened = await createLeveldbStore({ directory: dataDir, fsync: false });
    await reopened.close();
  });
});
