/**
 * Wires one Tandem server process: document store → room registry → WebSocket gateway + HTTP app.
 * Shutdown order matters for data: stop accepting, flush every document, then close sockets and
 * the store, so a normal stop never loses the tail of an editing burst.
 */
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { CloseCode } from '../shared/protocol.js';
import type { ServerConfig } from './config.js';
import { createLogger } from './logger.js';
import { RecentErrors } from './ops/recent-errors.js';
import { findPackageRoot } from './package-root.js';
import { openDocumentStore } from './persistence/open-document-store.js';
import type { DocumentStore } from './persistence/document-store.js';
import { DocumentRegistry } from './room/document-registry.js';
import { createRoomLoader } from './room/load-room.js';
import { attachWebSocketGateway, type WebSocketGateway } from './transport/websocket-gateway.js';
import { createHttpApp } from './http/app.js';
import { createSyncApp, isSyncRequest } from './http/sync-app.js';
import { HttpSyncSessions } from './transport/http-sync/http-sync-sessions.js';
import { createHttpSyncRouter } from './transport/http-sync/http-sync-routes.js';
import { OutboundBudget } from './transport/outbound-budget.js';
import { ConnectionQuota } from './auth/connection-quota.js';
import { createReadinessProbe, type ReadinessCheck } from './http/readiness.js';
import { createTokenVerifier } from './auth/token-verifier.js';
import { RevocationList, type Revocation } from './auth/revocation-list.js';
import { hostAllowlist, originAllowlist } from './auth/request-identity.js';
import type { AccessChecker } from './auth/upgrade-authorizer.js';
import type { PubSub } from './pubsub/pubsub.js';
import { createMetrics, type TandemMetrics } from './metrics/metrics.js';
import { ConnectionMeter } from './metrics/connection-meter.js';
import { timeStoreWrites } from './metrics/timed-store.js';
import { startMetricsListener, type MetricsListener } from './metrics/metrics-listener.js';
import { isLoopbackHost } from './config.js';
import type { ClusterWiring, StartClusterMemberOptions } from './cluster/start-cluster-member.js';
import type { LocalDelete } from './cluster/cluster-deletes.js';
import type { WebhookTuning, Webhooks } from './webhooks/start-webhooks.js';
import { startEngines } from './start-engines.js';
import type { WebhookCounters } from './webhooks/webhook-dispatcher.js';
import { VersionHistory } from './history/version-history.js';
import type { Clock } from './clock.js';

export interface StartOptions {
  logger?: Logger;
  /** Use this store instead of opening the configured one (the caller closes it). */
  store?: DocumentStore;
  /** Cluster fan-out over this PubSub instead of Redis at config.cluster.redisUrl (tests: memory or lossy). */
  pubsub?: PubSub;
  /** Cluster heartbeat/timeout/inbox settings (tests). */
  clusterTuning?: StartClusterMemberOptions['tuning'];
  /** How often revocations stored in PostgreSQL are read (default REVOCATION_POLL_MS; tests). */
  revocationPollMs?: number;
  /** Webhook debounce and delivery settings (tests: short). */
  webhookTuning?: WebhookTuning;
  /** Counts webhook deliveries and failures instead of the Prometheus counters (tests). */
  webhookCounters?: WebhookCounters;
  /** Where `logger` keeps its warn/error lines for the admin overview (when the caller made the logger). */
  recentErrors?: RecentErrors;
  /** Time and timers of version history (tests drive a manual clock). */
  historyClock?: Clock;
  /** Longest wait of a saved ack for a message to ride (default ACK_RIDE_MS; tests lengthen it so that rides are certain). */
  savedAckRideMs?: number;
}

export interface RunningServer {
  /** http://host:port of the listening server. */
  readonly url: string;
  readonly port: number;
  readonly registry: DocumentRegistry;
  readonly gateway: WebSocketGateway;
  readonly logger: Logger;
  /** Cluster membership, or null for a single process. */
  readonly cluster: ClusterWiring | null;
  /** This server's Prometheus metrics (its own registry); the webhook sender counts into it. */
  readonly metrics: TandemMetrics;
  /** http://host:port of the token-free metrics listener (--metrics-port), or null. */
  readonly metricsUrl: string | null;
  /** Webhook delivery, or null when no --webhook-url is set. */
  readonly webhooks: Webhooks | null;
  /** Version history: automatic versions and the versions the HTTP API records. */
  readonly history: VersionHistory;
  /** Idempotent graceful stop; rejects if some writes could not be flushed. */
  close(): Promise<void>;
}

const SOCKET_CLOSE_GRACE_MS = 2_000;

export async function startServer(config: ServerConfig, options: StartOptions = {}): Promise<RunningServer> {
  const recentErrors = options.logger ? (options.recentErrors ?? null) : new RecentErrors();
  const logger = options.logger ?? createLogger(config.logLevel, undefined, recentErrors ?? undefined);
  // Keys, certificates and revocations first: a bad file fails the start before anything opens.
  const access: AccessChecker = {
    verifier: await createTokenVerifier(config.auth),
    revocations: await RevocationList.open(config.auth.revocationsFile),
  };
  const tls = config.tls ? { cert: await readFile(config.tls.certFile), key: await readFile(config.tls.keyFile) } : null;
  if (access.verifier.isOpen) {
    logger.warn(
      { host: config.host },
      'auth is disabled (no TANDEM_AUTH_SECRET, public key or JWKS URL): anyone who can reach this server can read and write every document',
    );
  }
  const openedStore = options.store ?? (await openDocumentStore(config, logger));
  const metrics = createMetrics();
  // Released by engines.close() after the flush and the sockets (start-engines.ts), or by a failed start.
  const engines = await startEngines({
    config,
    store: openedStore,
    ownsStore: !options.store,
    logger,
    revocations: access.revocations,
    webhookCounters: options.webhookCounters ?? {
      delivered: () => metrics.webhookDeliveries.inc(),
      failed: () => metrics.webhookFailures.inc(),
    },
    webhookTuning: options.webhookTuning,
    revocationPollMs: options.revocationPollMs,
    pubsub: options.pubsub,
    clusterTuning: options.clusterTuning,
  });
  const { store, webhooks, sharedRevocations, cluster } = engines;
  const storeLoader = createRoomLoader({ store: timeStoreWrites(store, metrics), logger, compaction: config.compaction });
  const versionHistory = new VersionHistory({
    store,
    logger,
    schedule: { quietMs: config.history.quietMs, maxIntervalMs: config.history.maxIntervalMs },
    retention: { maxAutomatic: config.history.maxAutomatic },
    ...(options.historyClock ? { clock: options.historyClock } : {}),
    isDeleting: (name): boolean => registry.isDeleting(name),
  });
  const loadRoom = versionHistory.wrapLoader(webhooks ? webhooks.wrapLoader(storeLoader) : storeLoader);
  const registry = new DocumentRegistry({ loadRoom: cluster ? cluster.wrapLoader(loadRoom) : loadRoom, logger });
  metrics.countOpenDocumentsWith(() => registry.size);
  cluster?.attach(registry);
  const deleteLocally: LocalDelete = (name, removeStored) =>
    registry.delete(name, { closePeer: (peer) => peer.close(CloseCode.documentDeleted, 'document deleted'), removeStored });
  cluster?.handleDeletes(deleteLocally);
  // After the versions already on their way, so none lands after the delete.
  const removeStored = (name: string) => () => versionHistory.settled(name).then(() => store.delete(name));
  let ready = false;
  const readinessChecks: ReadinessCheck[] = [{ name: 'store', check: () => store.ping() }];
  if (cluster) readinessChecks.push(cluster.readinessCheck);
  // One connection quota and one outbound budget for both transports.
  const meter = new ConnectionMeter(metrics);
  const quota = new ConnectionQuota(config.limits);
  const budget = new OutboundBudget({ maxBytes: config.limits.maxTotalBufferedBytes });
  const httpSync = new HttpSyncSessions({ registry, config, logger, access, quota, budget, meter });
  const app = createHttpApp({
    store,
    logger,
    access,
    clientDir: config.clientDir ?? path.join(findPackageRoot(), 'dist', 'client'),
    allowedHosts: hostAllowlist(config.allowedHosts, access.verifier.isOpen),
    readiness: createReadinessProbe({ isStarted: () => ready, checks: readinessChecks }),
    peekLoadedDocument: (name) => registry.peekLoaded(name)?.doc ?? null,
    openDocument: (name) => registry.open(name),
    liveConnections: (name) => registry.peekLoaded(name)?.peerCount ?? 0,
    deleteDocument: (name) => (cluster ? cluster.deleteDocument(name, removeStored(name)) : deleteLocally(name, removeStored(name))),
    maxUpdateBytes: config.limits.maxMessageBytes,
    ...(sharedRevocations ? { recordRevocation: sharedRevocations.revoke } : {}),
    ...(cluster ? { publishRevocation: (revocation: Revocation) => cluster.publishRevocation(revocation) } : {}),
    metrics,
    isLoopbackOnly: isLoopbackHost(config.host),
    admin: {
      loadedDocuments: () => registry.loaded(),
      connections: () => [...gateway.connections(), ...httpSync.connections()],
      closeConnection: (id, by) => gateway.closeConnection(id, by) || httpSync.closeConnection(id, by),
      ...(recentErrors ? { recentErrors: () => recentErrors.entries() } : {}),
    },
    history: versionHistory,
  });
  const syncApp = createSyncApp({
    router: createHttpSyncRouter(httpSync, { maxMessageBytes: config.limits.maxMessageBytes }),
    logger,
    allowedHosts: hostAllowlist(config.allowedHosts, access.verifier.isOpen),
    allowedOrigins: originAllowlist(config.allowedOrigins, access.verifier.isOpen),
    metrics,
  });
  const serve = (req: IncomingMessage, res: ServerResponse): void => {
    if (isSyncRequest(req.url)) syncApp(req, res);
    else app(req, res);
  };
  const httpServer: HttpServer | HttpsServer = tls ? createHttpsServer(tls, serve) : createServer(serve);
  const gateway = attachWebSocketGateway({ httpServer, registry, config, logger, access, meter, quota, budget, savedAckRideMs: options.savedAckRideMs });
  let metricsListener: MetricsListener | null = null;
  try {
    await listen(httpServer, config.port, config.host);
    if (config.metricsListener) metricsListener = await startMetricsListener({ metrics, logger, ...config.metricsListener });
  } catch (error) {
    // A port in use: nothing was served yet, but pools, the outbox and the store are open.
    gateway.stopAccepting();
    httpSync.stopAccepting();
    httpSync.closeAll(CloseCode.serviceRestart, 'server restarting');
    httpServer.close();
    await engines.close(versionHistory);
    throw error;
  }
  const { port } = httpServer.address() as AddressInfo;
  const url = `${tls ? 'https' : 'http'}://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  ready = true;
  logger.info(
    { url, metricsUrl: metricsListener?.url ?? null, storage: describeStorage(config, Boolean(options.store)), cluster: cluster !== null, pathPrefix: config.pathPrefix || '/', auth: config.auth.mode, trustProxy: config.trustProxy },
    'tandem listening',
  );

  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      ready = false;
      gateway.stopAccepting();
      httpSync.stopAccepting();
      const httpClosed = new Promise<void>((resolve) => httpServer.close(() => resolve()));
      let flushError: unknown = null;
      try {
        await withTimeout(registry.closeAll(), config.shutdownTimeoutMs, 'flushing documents');
      } catch (error) {
        flushError = error;
        logger.error({ err: error }, 'shutdown: some documents could not be flushed');
      }
      httpSync.closeAll(CloseCode.serviceRestart, 'server restarting');
      await gateway.closeAll(CloseCode.serviceRestart, 'server restarting', SOCKET_CLOSE_GRACE_MS);
      httpServer.closeAllConnections();
      await httpClosed;
      await metricsListener?.close();
      await engines.close(versionHistory);
      logger.info('tandem stopped');
      if (flushError) throw flushError instanceof Error ? flushError : new Error('flushing documents failed', { cause: flushError });
    })();
    return closing;
  };

  return { url, port, registry, gateway, logger, cluster, metrics, metricsUrl: metricsListener?.url ?? null, webhooks, history: versionHistory, close };
}

/** Where documents live, for the start-up log line (never the database URL: it may hold a password). */
function describeStorage(config: ServerConfig, injected: boolean): string {
  if (injected) return 'injected store';
  if (config.cluster.databaseUrl) return `postgresql schema ${config.cluster.databaseSchema}`;
  return `leveldb ${config.dataDir}`;
}

function listen(server: HttpServer | HttpsServer, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
