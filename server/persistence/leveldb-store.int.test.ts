import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runDocumentStoreContract } from './document-store-contract.js';
import { createLeveldbStore } from './leveldb-store.js';

runDocumentStoreContract('LevelDB', async () => {
  const directory = await mkdtemp(path.join(tmpdir(), 'tandem-store-'));
  return {
    open: () => createLeveldbStore({ directory, fsync: false }),
    dispose: () => rm(directory, { recursive: true, force: true }),
  };
});
