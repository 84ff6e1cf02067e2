/**
 * Turns HTTP upgrade requests into room peers. Everything that can be refused is refused before
 * the upgrade, as a plain HTTP answer, so no WebSocket is ever opened for it: bad document name
 * 400, foreign Origin 403, capacity 503 / per-address 429, then the token (missing, invalid,
 * expired or revoked 401, no access to the document 403). Each accepted socket is paused until its
 * document is loaded, then bound to its room; its close leaves the room. Sessions end with 4408
 * when their token expires and 4409 when it is revoked; an administrator may close one with 4205
 * (connection-sessions.ts). One timer pings every socket and drops the dead ones. The upgrade URL
 * (it may carry `?token=`) is never logged.
 * A Host name the server does not answer to (request-identity.ts) is refused first, with 403.
 */
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from 'pino';
import { isValidDocName } from '../../shared/doc-name.js';
import { OWN_PRESENCE_PARAM, SAVE_ACK_PARAM, type CloseCodeValue } from '../../shared/protocol.js';
import type { Access } from '../../shared/token-claims.js';
import { isLoopbackHost, type ServerConfig } from '../config.js';
import type { DocumentRegistry } from '../room/document-registry.js';
import { AuthError } from '../auth/auth-error.js';
import { ConnectionQuota, type QuotaSlot } from '../auth/connection-quota.js';
import type { Principal } from '../auth/principal.js';
import { clientAddress, hostAllowlist, isHostAllowed, isOriginAllowed, originAllowlist, tokenFromRequest } from '../auth/request-identity.js';
import type { Revocation } from '../auth/revocation-list.js';
import { authorizeDocument, type AccessChecker } from '../auth/upgrade-authorizer.js';
import { WebSocketPeer } from './web-socket-peer.js';
import type { PeerSettings } from './peer-settings.js';
import { OutboundBudget } from './outbound-budget.js';
import { rejectUpgrade } from './reject-upgrade.js';
import { closeForExpiredToken, TokenExpiries } from './token-expiry.js';
import type { ConnectionMeter } from '../metrics/connection-meter.js';
import { closeByAdmin, closeRevoked, describeConnections, joinDocument, type Session, type Sessions } from './connection-sessions.js';
import type { ConnectionSummary } from '../../shared/admin-overview.js';
import { ACK_RIDE_MS } from './saved-ack-ride.js';

export interface WebSocketGatewayOptions {
  httpServer: HttpServer | HttpsServer;
  registry: DocumentRegistry;
  config: ServerConfig;
  logger: Logger;
  access: AccessChecker;
  /** Connection, message and close metrics (metrics/connection-meter.ts); none when absent. */
  meter?: ConnectionMeter;
  /** Connection counts shared with the HTTP fallback sessions; a gateway of its own when absent. */
  quota?: ConnectionQuota;
  /** The process-wide cap on unsent bytes, shared with the HTTP fallback sessions; its own when absent. */
  budget?: OutboundBudget;
  /** Longest wait of a saved ack for a message to ride (saved-ack-ride.ts); ACK_RIDE_MS when absent. */
  savedAckRideMs?: number | undefined;
}

export interface WebSocketGateway {
  readonly connectionCount: number;
  /** Unsent bytes queued in this process for every connection, closing ones included. */
  readonly bufferedBytes: number;
  /** Upgrades waiting for their token to be verified. */
  readonly pendingUpgradeCount: number;
  /** Stops accepting upgrades and pauses every socket's input (shutdown, step one). */
  stopAccepting(): void;
  /** Closes every socket with `code`; those that have not closed after `graceMs` are dropped. */
  closeAll(code: CloseCodeValue, reason: string, graceMs: number): Promise<void>;
  /** Every open connection of this process, for the admin overview. */
  connections(): Array<ConnectionSummary & { doc: string }>;
  /** Closes connection `id` with 4205 (admin `by` is logged); false when there is none. */
  closeConnection(id: string, by: string): boolean;
}

/** What an accepted upgrade asked for, handed to the connection. */
interface ConnectionRequest {
  docName: string;
  address: string;
  wantsSaveAck: boolean;
  sendsOwnPresenceOnly: boolean;
  slot: QuotaSlot;
}

// A closed client has this long to answer the close frame before its socket is dropped (ws's own
// default is 30 s): a reader closed for being slow never answers, and keeps what is queued for it.
const CLOSE_HANDSHAKE_TIMEOUT_MS = 3_000;

export function attachWebSocketGateway(options: WebSocketGatewayOptions): WebSocketGateway {
  const { httpServer, registry, config, logger, access } = options;
  const meter = options.meter ?? null;
  const { limits } = config;
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: limits.maxMessageBytes,
    // Off, and must stay off: peers write pre-built frames (binary-frame.ts), which bypass
    // the Sender queue that compression would need.
    perMessageDeflate: false,
    clientTracking: false,
    allowSynchronousEvents: true,
    // `closeTimeout` (websockets/ws#2308; package.json asks for ws ^8.23) is not in @types/ws yet.
    ...({ closeTimeout: CLOSE_HANDSHAKE_TIMEOUT_MS } as object),
  });
  const budget = options.budget ?? new OutboundBudget({ maxBytes: limits.maxTotalBufferedBytes });
  const sessions: Sessions = new Map();
  const quota = options.quota ?? new ConnectionQuota(limits);
  let pendingUpgrades = 0;
  // Connection ids only need to be unique within the process, for logs; a counter is also the
  // cheapest string to keep per idle connection.
  let connections = 0;
  let accepting = true;
  const allowedOrigins = originAllowlist(config.allowedOrigins, access.verifier.isOpen);
  const allowedHosts = hostAllowlist(config.allowedHosts, access.verifier.isOpen);

  const refuse = (socket: Duplex, status: number, code: string, message: string, fields: Record<string, unknown>): void => {
    logger.info({ ...fields, status, reason: code }, 'upgrade refused');
    rejectUpgrade(socket, status, code, message);
  };

  // Defined out here, not inside onUpgrade: a closure created there would keep onUpgrade's whole
  // scope (the request, its headers, the URL) alive for as long as the socket lives.
  const onUpgradeSocketError = (error: Error): void => logger.debug({ err: error }, 'socket error during upgrade');

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', onUpgradeSocketError);
    if (!accepting) return rejectUpgrade(socket, 503, 'shutting-down', 'server is shutting down');
    if (!isHostAllowed(req, allowedHosts)) {
      return refuse(socket, 403, 'host-not-allowed', 'this server does not answer to that host name', { host: req.headers.host?.slice(0, 256) });
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    const docName = documentNameFromPath(url.pathname, config.pathPrefix);
    if (docName === null || !isValidDocName(docName)) {
      return rejectUpgrade(socket, 400, 'invalid-document-name', 'document names are 1-128 characters of A-Z a-z 0-9 . _ -');
    }
    const address = clientAddress(req, config.trustProxy);
    const fields = { doc: docName, address };
    if (!isOriginAllowed(req, allowedOrigins)) {
      return refuse(socket, 403, 'origin-not-allowed', 'this origin may not open WebSockets here', { ...fields, origin: req.headers.origin });
    }
    if (pendingUpgrades >= limits.maxPendingUpgrades) {
      return refuse(socket, 503, 'too-many-pending', 'too many connections are being opened; try again', fields);
    }
    const slot = quota.reserve(docName, isLoopbackHost(address) ? null : address);
    if ('refusal' in slot) return refuse(socket, slot.refusal.status, slot.refusal.code, slot.refusal.message, fields);
    // Until the upgrade, the slot is given back when the TCP socket closes (refused, or gone while
    // its token was checked); from then on the session holds it, and the WebSocket's close gives it
    // back. This closure keeps onUpgrade's scope, so it must not outlive the upgrade.
    const releaseUnlessUpgraded = (): void => slot.release();
    socket.on('close', releaseUnlessUpgraded);
    pendingUpgrades++;
    const token = tokenFromRequest(req, { allowCookie: false });
    const wantsSaveAck = url.searchParams.get(SAVE_ACK_PARAM) === '1';
    const sendsOwnPresenceOnly = url.searchParams.get(OWN_PRESENCE_PARAM) === '1';
    authorizeDocument(access, token, docName)
      .then(
        ({ principal, access: granted }) => {
          if (socket.destroyed) return;
          if (!accepting) return rejectUpgrade(socket, 503, 'shutting-down', 'server is shutting down');
          wss.handleUpgrade(req, socket, head, (ws) => {
            // ws has its own socket error listener now (and the peer one on the WebSocket).
            socket.off('error', onUpgradeSocketError);
            socket.off('close', releaseUnlessUpgraded);
            onConnection(ws, { docName, address, wantsSaveAck, sendsOwnPresenceOnly, slot }, principal, granted);
          });
        },
        (error: unknown) => {
          if (error instanceof AuthError) {
            if (error.status >= 500) logger.warn({ ...fields, err: error.cause }, 'could not verify a token');
            return refuse(socket, error.status, error.code, error.message, fields);
          }
          logger.error({ ...fields, err: error }, 'upgrade failed');
          rejectUpgrade(socket, 500, 'internal', 'internal server error');
        },
      )
      .finally(() => {
        pendingUpgrades--;
      });
  };

  // One timer for every connection's token expiry (token-expiry.ts), not one per connection.
  const expiries = new TokenExpiries<WebSocketPeer>(closeForExpiredToken);

  // `peer.log` makes the connection's child logger, which it then keeps (~300 bytes): ask only
  // when the line would be written. The level is fixed for the process (config.ts).
  const logsDebug = logger.isLevelEnabled('debug');

  // One object for every peer: an idle connection keeps no closures of its own.
  const peerSettings: PeerSettings = {
    logger,
    onClosed: (peer, code) => {
      const session = sessions.get(peer);
      if (!session) return;
      sessions.delete(peer);
      meter?.closed(peer.canWrite, code);
      if (logsDebug) peer.log.debug({ code }, 'connection closed');
      budget.forget(peer);
      session.slot.release();
      if (session.expiry) expiries.cancel(session.expiry);
      if (session.room) registry.leave(session.docName, session.room, peer);
    },
    meter,
    maxBufferedBytes: limits.maxBufferedBytes,
    savedAckRideMs: options.savedAckRideMs ?? ACK_RIDE_MS,
    budget,
    maxEarlyMessages: limits.maxEarlyMessages,
    maxEarlyBytes: limits.maxEarlyBytes,
    maxRefusedWrites: limits.maxRefusedWrites,
    awarenessLimits: { maxStateBytes: limits.maxAwarenessStateBytes, maxIds: limits.maxAwarenessIds },
    maxRefusedAwareness: limits.maxRefusedAwareness,
    throttle: {
      messagesPerSecond: limits.messagesPerSecond,
      bytesPerSecond: limits.bytesPerSecond,
      awarenessPerSecond: limits.awarenessPerSecond,
      maxMessageBytes: limits.maxMessageBytes,
      closeAfterMs: limits.throttleCloseAfterMs,
    },
  };

  const onConnection = (
    ws: WebSocket,
    { docName, address, wantsSaveAck, sendsOwnPresenceOnly, slot }: ConnectionRequest,
    principal: Principal,
    granted: Access,
  ): void => {
    const peer = new WebSocketPeer({
      ws,
      id: `c${++connections}`,
      docName,
      canWrite: granted === 'write',
      wantsSaveAck,
      sendsOwnPresenceOnly,
      // Everyone is "anonymous" in open mode: a subject there would let anyone take over anyone's presence.
      subject: access.verifier.isOpen ? null : principal.sub,
      displayName: principal.name,
      settings: peerSettings,
    });
    const session: Session = { principal, docName, address, connectedAt: Date.now(), expiry: null, room: null, slot };
    sessions.set(peer, session);
    meter?.opened(peer.canWrite);
    if (principal.exp !== null) session.expiry = expiries.add(peer, principal.exp * 1000);
    if (logsDebug) peer.log.debug({ sub: principal.sub, access: granted }, 'connection opened');
    joinDocument(registry, session, peer);
  };

  const stopRevocations = access.revocations.onRevoke((revocation: Revocation) => closeRevoked(sessions, revocation));

  httpServer.on('upgrade', onUpgrade);

  const keepalive = setInterval(() => {
    for (const peer of sessions.keys()) {
      if (!peer.isAlive) {
        peer.log.info('no pong since last ping; dropping connection');
        peer.terminate();
      } else {
        peer.ping();
      }
    }
  }, config.pingIntervalMs);
  keepalive.unref();

  return {
    get connectionCount() {
      return sessions.size;
    },
    get bufferedBytes() {
      let total = 0;
      for (const peer of sessions.keys()) total += peer.unsentBytes;
      return total;
    },
    get pendingUpgradeCount() {
      return pendingUpgrades;
    },
    stopAccepting() {
      accepting = false;
      stopRevocations();
      httpServer.off('upgrade', onUpgrade);
      httpServer.on('upgrade', (_req: IncomingMessage, socket: Duplex) => rejectUpgrade(socket, 503, 'shutting-down', 'server is shutting down'));
      clearInterval(keepalive);
      for (const peer of sessions.keys()) peer.stopInput();
    },
    async closeAll(code, reason, graceMs) {
      const closed = [...sessions.keys()].map((peer) => peer.closeAndWait(code, reason, graceMs));
      await Promise.all(closed);
    },
    connections: () => describeConnections(sessions),
    closeConnection: (id, by) => closeByAdmin(sessions, id, by),
  };
}

/** `/prefix/<name>` → name, or null when the path is not under the prefix or has more segments. */
export function documentNameFromPath(pathname: string, prefix: string): string | null {
  const head = `${prefix}/`;
  if (!pathname.startsWith(head)) return null;
  const name = pathname.slice(head.length);
  return name.includes('/') ? null : name;
}
