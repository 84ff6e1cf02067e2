/**
 * Makes this process a cluster member when it is configured as one (`--redis-url`), or when a
 * PubSub is handed in (tests): connects to Redis with channels under `<redisKeyPrefix>ps:`,
 * warns when Redis could evict keys, and returns what main.ts wires: the loader wrapper, the
 * revocation publisher for the admin API, a readiness check, and close().
 */
import * as Y from 'yjs';
import type { Logger } from 'pino';
import type { ServerConfig } from '../config.js';
import type { DocumentStore } from '../persistence/document-store.js';
import type { RevocationList } from '../auth/revocation-list.js';
import type { ReadinessCheck } from '../http/readiness.js';
import type { DocumentRegistry } from '../room/document-registry.js';
import type { UpdateOrigin } from '../room/room-peer.js';
import type { PubSub } from '../pubsub/pubsub.js';
import { createRedisPubSub } from '../pubsub/redis-pubsub.js';
import { createClusterMember, type ClusterMember, type ClusterMemberOptions, type RoomLoader } from './cluster-member.js';
import type { ClusterRevocation } from './cluster-message.js';
import type { LocalDelete } from './cluster-deletes.js';

export interface StartClusterMemberOptions {
  config: ServerConfig;
  store: DocumentStore;
  logger: Logger;
  revocations: RevocationList;
  /** Use this PubSub instead of connecting to config.cluster.redisUrl; closed with the member. */
  pubsub?: PubSub;
  /** Heartbeat, timeout and inbox settings (defaults: cluster-member.ts). */
  tuning?: Pick<ClusterMemberOptions, 'heartbeatMs' | 'memberTimeoutMs' | 'inbox' | 'syncRetryMs' | 'tailDelaysMs' | 'deletes'>;
}

export interface ClusterWiring {
  readonly member: ClusterMember;
  wrapLoader(loader: RoomLoader): RoomLoader;
  attach(registry: DocumentRegistry): void;
  publishRevocation(revocation: ClusterRevocation): Promise<void>;
  /** Deletes on every member (cluster-deletes.ts): `local` is this member's part. */
  handleDeletes(local: LocalDelete): void;
  /** Rejects with ClusterDeleteError, nothing deleted, when the other members cannot be told. */
  deleteDocument(name: string, removeStored: () => Promise<void>): Promise<void>;
  /** For /readyz: the pub/sub connection is up and subscribed. */
  readonly readinessCheck: ReadinessCheck;
  isHealthy(): boolean;
  /** Leaves the cluster, then closes the PubSub. Idempotent. */
  close(): Promise<void>;
}

const CATCH_UP_ORIGIN: UpdateOrigin = Object.freeze({ source: 'catch-up' });

export async function startClusterMember(options: StartClusterMemberOptions): Promise<ClusterWiring | null> {
  const { config, store, logger, revocations } = options;
  const redisUrl = config.cluster.redisUrl;
  if (!options.pubsub && !redisUrl) return null;
  let pubsub = options.pubsub;
  if (!pubsub) {
    const redis = await createRedisPubSub({ url: redisUrl!, keyPrefix: `${config.cluster.redisKeyPrefix}ps:`, logger });
    const warning = await redis.checkEvictionPolicy();
    if (warning) logger.warn({ component: 'cluster' }, warning);
    pubsub = redis;
  }
  let member: ClusterMember;
  try {
    member = await createClusterMember({
      ...options.tuning,
      pubsub,
      logger,
      catchUpFromStore: async (name, doc) => {
        const stored = await store.load(name);
        const updates = stored.snapshot ? [stored.snapshot, ...stored.log] : stored.log;
        // The document may have been unloaded while the store answered.
        if (updates.length === 0 || doc.isDestroyed) return;
        doc.transact(() => {
          for (const update of updates) Y.applyUpdate(doc, update, CATCH_UP_ORIGIN);
        }, CATCH_UP_ORIGIN);
      },
      onRevocation: (revocation) => {
        const target = { ...(revocation.sub !== undefined ? { sub: revocation.sub } : {}), ...(revocation.doc !== undefined ? { doc: revocation.doc } : {}) };
        if (target.sub === undefined && target.doc === undefined) return;
        revocations.revoke(target, revocation.before).then(
          ({ closed, isNew }) => {
            // Each revocation arrives up to three times (repeats with heartbeats), and the poll may have brought it already.
            if (isNew) logger.info({ component: 'cluster', sub: revocation.sub, doc: revocation.doc, closed }, 'revocation from another member applied');
          },
          (error: unknown) => logger.error({ component: 'cluster', err: error }, 'revocation from another member: saving it failed'),
        );
      },
    });
  } catch (error) {
    await pubsub.close();
    throw error;
  }
  let closing: Promise<void> | null = null;
  const ps = pubsub;
  return {
    member,
    wrapLoader: (loader) => member.wrapLoader(loader),
    attach: (registry) => member.attach(registry),
    publishRevocation: (revocation) => member.publishRevocation(revocation),
    handleDeletes: (local) => member.deletes.handleWith(local),
    deleteDocument: (name, removeStored) => member.deletes.delete(name, removeStored),
    readinessCheck: {
      name: 'redis',
      check: () => (member.isHealthy() ? Promise.resolve() : Promise.reject(new Error('pub/sub connection is down'))),
    },
    isHealthy: () => member.isHealthy(),
    close() {
      closing ??= (async () => {
        try {
          await member.close();
        } finally {
          await ps.close();
        }
      })();
      return closing;
    },
  };
}
