/**
 * The HTTP fallback sessions of this process: opening one (the same refusals as a WebSocket
 * upgrade: 400 name, 403 Origin, 429/503 quota shared with the WebSocket gateway, 401/403 token),
 * finding one for a later request (its token checked again each time, and of the same subject),
 * and ending them: its opening token's expiry (4408) and revocation (4409) like a WebSocket,
 * administrators (4205), shutdown, and the reaper, which ends a session that has neither an open
 * stream nor sent a POST for two ping intervals (1006, like a dead socket) so that it leaves its
 * room and its presence is removed. The same timer writes a heartbeat on every open stream.
 * An ended session's id is remembered for one reap period, so its next request learns the close
 * code (410) rather than a bare 404.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import { isValidDocName } from '../../../shared/doc-name.js';
import { CloseCode, OWN_PRESENCE_PARAM, SAVE_ACK_PARAM, type CloseCodeValue } from '../../../shared/protocol.js';
import { isLoopbackHost, type ServerConfig } from '../../config.js';
import type { DocumentRegistry } from '../../room/document-registry.js';
import { AuthError } from '../../auth/auth-error.js';
import type { ConnectionQuota } from '../../auth/connection-quota.js';
import { clientAddress, isOriginAllowed, originAllowlist, tokenFromRequest } from '../../auth/request-identity.js';
import { authorizeDocument, type AccessChecker } from '../../auth/upgrade-authorizer.js';
import type { ConnectionMeter } from '../../metrics/connection-meter.js';
import type { ConnectionSummary } from '../../../shared/admin-overview.js';
import type { OutboundBudget } from '../outbound-budget.js';
import { closeByAdmin, closeRevoked, describeConnections, joinDocument, type Session, type Sessions } from '../connection-sessions.js';
import { closeForExpiredToken, TokenExpiries } from '../token-expiry.js';
import { HttpSessionPeer, type HttpSessionSettings } from './http-session-peer.js';

export interface HttpSyncSessionsOptions {
  registry: DocumentRegistry;
  config: ServerConfig;
  logger: Logger;
  access: AccessChecker;
  quota: ConnectionQuota;
  budget: OutboundBudget;
  meter: ConnectionMeter | null;
}

/** A refusal: the HTTP status, a stable code, and the close code when it ended the session. */
export class SyncRefusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    public closeCode: number | null = null,
  ) {
    super(message);
  }
}

interface SessionRecord extends Session {
  sessionId: string;
}

export interface OpenedSession {
  sessionId: string;
  peer: HttpSessionPeer;
}

export class HttpSyncSessions {
  readonly #options: HttpSyncSessionsOptions;
  readonly #sessions: Sessions<HttpSessionPeer> = new Map();
  readonly #byId = new Map<string, HttpSessionPeer>();
  /** Ended sessions: id → close code and when, kept for one reap period. */
  readonly #ended = new Map<string, { code: number; at: number }>();
  readonly #settings: HttpSessionSettings;
  readonly #allowedOrigins: readonly string[] | null;
  readonly #timer: NodeJS.Timeout;
  /** One timer for every session's token expiry (token-expiry.ts). */
  readonly #expiries = new TokenExpiries<HttpSessionPeer>(closeForExpiredToken);
  readonly #stopRevocations: () => void;
  #count = 0;
  #accepting = true;

  constructor(options: HttpSyncSessionsOptions) {
    this.#options = options;
    const { limits } = options.config;
    this.#allowedOrigins = originAllowlist(options.config.allowedOrigins, options.access.verifier.isOpen);
    this.#settings = {
      logger: options.logger,
      onClosed: (peer, code) => this.#onClosed(peer, code),
      meter: options.meter,
      maxBufferedBytes: limits.maxBufferedBytes,
      budget: options.budget,
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
      replayBytes: limits.httpReplayBytes,
    };
    this.#stopRevocations = options.access.revocations.onRevoke((revocation) => closeRevoked(this.#sessions, revocation));
    this.#timer = setInterval(() => this.#tick(), options.config.pingIntervalMs);
    this.#timer.unref();
  }

  get size(): number {
    return this.#sessions.size;
  }

  /** A session with neither a stream nor a POST for this long is reaped. */
  get idleTimeoutMs(): number {
    return 2 * this.#options.config.pingIntervalMs;
  }

  get heartbeatMs(): number {
    return this.#options.config.pingIntervalMs;
  }

  /** Opens a session on `docName` for the request's token, joining the room in the background. */
  async open(req: IncomingMessage, docName: string): Promise<OpenedSession> {
    const { config, access, quota } = this.#options;
    if (!this.#accepting) throw new SyncRefusal(503, 'shutting-down', 'server is shutting down');
    if (!isValidDocName(docName)) throw new SyncRefusal(400, 'invalid-document-name', 'document names are 1-128 characters of A-Z a-z 0-9 . _ -');
    if (!isOriginAllowed(req, this.#allowedOrigins)) throw new SyncRefusal(403, 'origin-not-allowed', 'this origin may not open sessions here');
    const address = clientAddress(req, config.trustProxy);
    const slot = quota.reserve(docName, isLoopbackHost(address) ? null : address);
    if ('refusal' in slot) throw new SyncRefusal(slot.refusal.status, slot.refusal.code, slot.refusal.message);
    let granted;
    try {
      granted = await authorizeDocument(access, tokenFromRequest(req, { allowCookie: false }), docName);
    } catch (error) {
      slot.release();
      throw toRefusal(error, this.#options.logger);
    }
    if (!this.#accepting) {
      slot.release();
      throw new SyncRefusal(503, 'shutting-down', 'server is shutting down');
    }
    const { principal, access: level } = granted;
    const url = new URL(req.url ?? '/', 'http://localhost');
    const peer = new HttpSessionPeer({
      id: `h${++this.#count}`,
      docName,
      canWrite: level === 'write',
      wantsSaveAck: url.searchParams.get(SAVE_ACK_PARAM) === '1',
      sendsOwnPresenceOnly: url.searchParams.get(OWN_PRESENCE_PARAM) === '1',
      subject: access.verifier.isOpen ? null : principal.sub,
      displayName: principal.name,
      settings: this.#settings,
    });
    const sessionId = randomUUID();
    const record: SessionRecord = { principal, docName, address, connectedAt: Date.now(), expiry: null, room: null, sessionId, slot };
    this.#sessions.set(peer, record);
    this.#byId.set(sessionId, peer);
    this.#options.meter?.opened(peer.canWrite);
    if (principal.exp !== null) record.expiry = this.#expiries.add(peer, principal.exp * 1000);
    peer.log.debug({ sub: principal.sub, access: level }, 'http session opened');
    this.#join(peer, record);
    return { sessionId, peer };
  }

  /**
   * The open session `sessionId` of `docName`, after checking the request's token: the same
   * subject as the one that opened it, still valid, not revoked, with access to the document.
   */
  async find(req: IncomingMessage, docName: string, sessionId: string): Promise<HttpSessionPeer> {
    const peer = this.#byId.get(sessionId);
    if (!peer || peer.docName !== docName) {
      const ended = this.#ended.get(sessionId);
      if (ended) throw new SyncRefusal(410, 'session-closed', 'this session has ended; open a new one', ended.code);
      throw new SyncRefusal(404, 'unknown-session', 'no such session');
    }
    const record = this.#sessions.get(peer)!;
    const { access } = this.#options;
    let principal;
    try {
      ({ principal } = await authorizeDocument(access, tokenFromRequest(req, { allowCookie: false }), docName));
    } catch (error) {
      // Refused, but the session is not ended here: whose token this is cannot be trusted. The
      // session ends on its own at its opening token's expiry (4408) or revocation (4409).
      throw toRefusal(error, this.#options.logger);
    }
    if (!access.verifier.isOpen && principal.sub !== record.principal.sub) {
      throw new SyncRefusal(403, 'not-session-owner', 'this session was opened with another identity');
    }
    if (!peer.isOpen) throw new SyncRefusal(410, 'session-closed', 'this session has ended; open a new one', peer.closeCode);
    return peer;
  }

  /** Ends `peer`'s session at the client's request (1000). */
  leave(peer: HttpSessionPeer): void {
    peer.close(CloseCode.normal, 'left');
  }

  stopAccepting(): void {
    this.#accepting = false;
    this.#stopRevocations();
    for (const peer of this.#sessions.keys()) peer.stopInput();
  }

  closeAll(code: CloseCodeValue, reason: string): void {
    clearInterval(this.#timer);
    for (const peer of [...this.#sessions.keys()]) peer.close(code, reason);
  }

  connections(): Array<ConnectionSummary & { doc: string }> {
    return describeConnections(this.#sessions);
  }

  closeConnection(id: string, by: string): boolean {
    return closeByAdmin(this.#sessions, id, by);
  }

  #join(peer: HttpSessionPeer, record: SessionRecord): void {
    joinDocument(this.#options.registry, record, peer);
  }

  #onClosed(peer: HttpSessionPeer, code: number): void {
    const record = this.#sessions.get(peer) as SessionRecord | undefined;
    if (!record) return;
    this.#sessions.delete(peer);
    this.#byId.delete(record.sessionId);
    this.#ended.set(record.sessionId, { code, at: Date.now() });
    this.#options.meter?.closed(peer.canWrite, code);
    peer.log.debug({ code }, 'http session closed');
    if (record.expiry) this.#expiries.cancel(record.expiry);
    record.slot.release();
    if (record.room) this.#options.registry.leave(record.docName, record.room, peer);
  }

  #tick(): void {
    const now = Date.now();
    const idleMs = this.idleTimeoutMs;
    for (const peer of [...this.#sessions.keys()]) {
      if (peer.hasStream) peer.heartbeat();
      else if (now - peer.lastSeenAt > idleMs) {
        peer.log.info('no stream and no request for two ping intervals; ending http session');
        peer.end(1006, 'session idle');
      }
    }
    for (const [id, ended] of this.#ended) if (now - ended.at > idleMs) this.#ended.delete(id);
  }
}

function toRefusal(error: unknown, logger: Logger): SyncRefusal {
  if (error instanceof SyncRefusal) return error;
  if (error instanceof AuthError) {
    if (error.status >= 500) logger.warn({ err: error.cause }, 'could not verify a token');
    return new SyncRefusal(error.status, error.code, error.message);
  }
  logger.error({ err: error }, 'http session request failed');
  return new SyncRefusal(500, 'internal', 'internal server error');
}
