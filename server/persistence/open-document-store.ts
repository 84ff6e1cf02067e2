/**
 * Opens the document store the configuration selects: PostgreSQL when a database URL is set
 * (its schema created or migrated first), LevelDB in the data folder otherwise.
 */
import { mkdir } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { ServerConfig } from '../config.js';
import type { DocumentStore } from './document-store.js';
import { createLeveldbStore } from './leveldb-store.js';
import { createPostgresStore } from './postgres-store.js';

export async function openDocumentStore(config: ServerConfig, logger: Logger): Promise<DocumentStore> {
  const { databaseUrl, databaseSchema } = config.cluster;
  if (databaseUrl !== null) {
    logger.info({ databaseSchema }, 'storing documents in PostgreSQL');
    return createPostgresStore({ url: databaseUrl, schema: databaseSchema, logger });
  }
  await mkdir(config.dataDir, { recursive: true });
  return createLeveldbStore({ directory: config.dataDir, fsync: config.fsync, logger });
}
