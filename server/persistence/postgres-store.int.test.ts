import { pino } from 'pino';
import { runDocumentStoreContract } from './document-store-contract.js';
import { createPostgresStore } from './postgres-store.js';
import { createPostgresTestSchema } from '../test-support/postgres-test-schema.js';

const logger = pino({ level: 'silent' });

runDocumentStoreContract('PostgreSQL', () => {
  const testSchema = createPostgresTestSchema('contract');
  const { url, schema } = testSchema;
  return Promise.resolve({
    open: () => createPostgresStore({ url, schema, logger, poolSize: 4 }),
    // A second pool on the same schema: another process, as far as PostgreSQL can tell.
    openPeer: () => createPostgresStore({ url, schema, logger, poolSize: 4 }),
    dispose: () => testSchema.dispose(),
  });
});
