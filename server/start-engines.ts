/**
 * What one server process runs besides its sockets: the opened document store in, the store every
 * caller goes through out (wrapped by the webhooks, when on), with the webhook outbox, the
 * PostgreSQL revocations pool and the cluster membership started around it. Started in that
 * order; released in one order by close(), whether a start failed part-way or the server stops:
 * the cluster after the flush (documents stay shared until their last write), the webhook outbox
 * after the rooms (each records its last document.changed as it unloads), the store last.
 */
import type { Logger } from 'pino';
import type { ServerConfig } from './config.js';
import type { DocumentStore } from './persistence/document-store.js';
import type { RevocationList } from './auth/revocation-list.js';
import { startPostgresRevocations, type PostgresRevocations } from './auth/postgres-revocations.js';
import type { PubSub } from './pubsub/pubsub.js';
import { startClusterMember, type ClusterWiring, type StartClusterMemberOptions } from './cluster/start-cluster-member.js';
import { startWebhooks, type WebhookTuning, type Webhooks } from './webhooks/start-webhooks.js';
import type { WebhookCounters } from './webhooks/webhook-dispatcher.js';
import type { VersionHistory } from './history/version-history.js';

export interface StartEnginesOptions {
  config: ServerConfig;
  /** The opened document store; close() closes it last when `ownsStore`. */
  store: DocumentStore;
  ownsStore: boolean;
  logger: Logger;
  /** The revocations that PostgreSQL and the cluster share with this process. */
  revocations: RevocationList;
  webhookCounters: WebhookCounters;
  webhookTuning?: WebhookTuning;
  revocationPollMs?: number;
  pubsub?: PubSub;
  clusterTuning?: StartClusterMemberOptions['tuning'];
}

export interface Engines {
  /** The store to use: every call goes through the webhooks' wrapper, when on. */
  readonly store: DocumentStore;
  /** Webhook delivery, or null when no --webhook-url is set. */
  readonly webhooks: Webhooks | null;
  /** Revocations shared through PostgreSQL, or null without a database. */
  readonly sharedRevocations: PostgresRevocations | null;
  /** Cluster membership, or null for a single process. */
  readonly cluster: ClusterWiring | null;
  /** Releases everything in order; the store closes only once `history` has stored its last versions. */
  close(history: VersionHistory | null): Promise<void>;
}

/** Starts the engines around `store`; if one fails, those already started are closed and the error rethrown. */
export async function startEngines(options: StartEnginesOptions): Promise<Engines> {
  const { config, logger, revocations, ownsStore } = options;
  const openedStore = options.store;
  let sharedRevocations: PostgresRevocations | null = null;
  let cluster: ClusterWiring | null = null;
  let webhooks: Webhooks | null = null;
  let store = openedStore;
  const close = async (history: VersionHistory | null): Promise<void> => {
    const warnIfFails = async (what: string, closing: Promise<unknown> | undefined): Promise<void> => {
      await closing?.catch((error: unknown) => logger.warn({ err: error }, `closing ${what} failed`));
    };
    await warnIfFails('the cluster membership', cluster?.close());
    await warnIfFails('the revocations pool', sharedRevocations?.close());
    await warnIfFails('the webhook outbox', webhooks?.close());
    // Versions cut as the rooms unloaded are still being stored.
    await history?.idle();
    if (ownsStore) await openedStore.close();
  };
  try {
    webhooks = await startWebhooks({
      config: config.webhooks,
      dataDir: config.dataDir,
      database: config.cluster.databaseUrl === null ? null : { url: config.cluster.databaseUrl, schema: config.cluster.databaseSchema },
      logger,
      counters: options.webhookCounters,
      ...(options.webhookTuning ? { tuning: options.webhookTuning } : {}),
    });
    // Every store call goes through the wrapper, so created and deleted documents are reported.
    if (webhooks) store = webhooks.wrapStore(openedStore);
    // With PostgreSQL, revocations are shared through it by every process on the schema.
    const { databaseUrl, databaseSchema } = config.cluster;
    if (databaseUrl !== null) {
      sharedRevocations = await startPostgresRevocations({
        url: databaseUrl,
        schema: databaseSchema,
        revocations,
        logger,
        ...(options.revocationPollMs !== undefined ? { pollMs: options.revocationPollMs } : {}),
      });
    }
    cluster = await startClusterMember({
      config,
      store,
      logger,
      revocations,
      ...(options.pubsub ? { pubsub: options.pubsub } : {}),
      ...(options.clusterTuning ? { tuning: options.clusterTuning } : {}),
    });
  } catch (error) {
    await close(null);
    throw error;
  }
  return { store, webhooks, sharedRevocations, cluster, close };
}
