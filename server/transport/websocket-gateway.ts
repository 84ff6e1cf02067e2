/**
 * Turns HTTP upgrade requests into room peers. Everything that can be refused is refused before
 * the upgrade, as a plain HTTP answer (bad document name 400, capacity 503), so no WebSocket is
 * ever opened for it. Each accepted socket is paused until its document is loaded, then bound to
 * its room; its close leaves the room. One timer pings every socket and drops the dead ones.
 */
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import { randomUUID } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from 'pino';
import { isValidDocName } from '../../shared/doc-name.js';
import { CloseCode, SAVE_ACK_PARAM, type CloseCodeValue } from '../../shared/protocol.js';
import type { ServerConfig } from '../config.js';
import type { DocumentRegistry } from '../room/document-registry.js';
import type { Room } from '../room/room.js';
import { WebSocketPeer } from './web-socket-peer.js';
import { rejectUpgrade } from './reject-upgrade.js';

export interface WebSocketGatewayOptions {
  httpServer: HttpServer;
  registry: DocumentRegistry;
  config: ServerConfig;
  logger: Logger;
}

export interface WebSocketGateway {
  readonly connectionCount: number;
  /** Stops accepting upgrades and pauses every socket's input (shutdown, step one). */
  stopAccepting(): void;
  /** Closes every socket with `code`; those that have not closed after `graceMs` are dropped. */
  closeAll(code: CloseCodeValue, reason: string, graceMs: number): Promise<void>;
}

const MAX_EARLY_MESSAGES = 256;
const MAX_REFUSED_WRITES = 10;

export function attachWebSocketGateway(options: WebSocketGatewayOptions): WebSocketGateway {
  const { httpServer, registry, config, logger } = options;
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: config.limits.maxMessageBytes,
    perMessageDeflate: false,
    clientTracking: false,
    allowSynchronousEvents: true,
  });
  const peers = new Set<WebSocketPeer>();
  const perDoc = new Map<string, number>();
  let accepting = true;

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', (error) => logger.debug({ err: error }, 'socket error during upgrade'));
    if (!accepting) return rejectUpgrade(socket, 503, 'shutting-down', 'server is shutting down');
    const url = new URL(req.url ?? '/', 'http://localhost');
    const docName = documentNameFromPath(url.pathname, config.pathPrefix);
    if (docName === null || !isValidDocName(docName)) {
      return rejectUpgrade(socket, 400, 'invalid-document-name', 'document names are 1-128 characters of A-Z a-z 0-9 . _ -');
    }
    if (peers.size >= config.limits.maxConnections) {
      return rejectUpgrade(socket, 503, 'server-full', 'too many connections on this server');
    }
    if ((perDoc.get(docName) ?? 0) >= config.limits.maxConnectionsPerDoc) {
      return rejectUpgrade(socket, 503, 'document-full', 'too many connections to this document');
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      onConnection(ws, docName, url.searchParams.get(SAVE_ACK_PARAM) === '1');
    });
  };

  const onConnection = (ws: WebSocket, docName: string, wantsSaveAck: boolean): void => {
    const peer = new WebSocketPeer({
      ws,
      id: randomUUID(),
      docName,
      canWrite: true,
      wantsSaveAck,
      logger,
      maxBufferedBytes: config.limits.maxBufferedBytes,
      maxEarlyMessages: MAX_EARLY_MESSAGES,
      maxRefusedWrites: MAX_REFUSED_WRITES,
    });
    peers.add(peer);
    perDoc.set(docName, (perDoc.get(docName) ?? 0) + 1);
    let room: Room | null = null;
    ws.on('error', (error) => logger.info({ doc: docName, connId: peer.id, err: error }, 'websocket error'));
    ws.on('close', () => {
      peers.delete(peer);
      const remaining = (perDoc.get(docName) ?? 1) - 1;
      if (remaining > 0) perDoc.set(docName, remaining);
      else perDoc.delete(docName);
      if (room) registry.leave(docName, room, peer);
    });
    // Hold input until the document is loaded: nothing is answered from an empty document.
    peer.pauseInput();
    registry.join(docName, peer).then(
      (joined) => {
        if (!peer.isOpen) return;
        room = joined;
        peer.bind((message) => joined.receive(peer, message));
      },
      (error: unknown) => {
        logger.error({ doc: docName, connId: peer.id, err: error }, 'could not open document');
        peer.close(CloseCode.internalError, 'document unavailable');
      },
    );
  };

  httpServer.on('upgrade', onUpgrade);

  const keepalive = setInterval(() => {
    for (const peer of peers) {
      if (!peer.isAlive) {
        logger.info({ doc: peer.docName, connId: peer.id }, 'no pong since last ping; dropping connection');
        peer.terminate();
      } else {
        peer.ping();
      }
    }
  }, config.pingIntervalMs);
  keepalive.unref();

  return {
    get connectionCount() {
      return peers.size;
    },
    stopAccepting() {
      accepting = false;
      httpServer.off('upgrade', onUpgrade);
      httpServer.on('upgrade', (_req: IncomingMessage, socket: Duplex) => rejectUpgrade(socket, 503, 'shutting-down', 'server is shutting down'));
      clearInterval(keepalive);
      for (const peer of peers) peer.pauseInput();
    },
    async closeAll(code, reason, graceMs) {
      const closed = [...peers].map((peer) => peer.closeAndWait(code, reason, graceMs));
      await Promise.all(closed);
    },
  };
}

/** `/prefix/<name>` → name, or null when the path is not under the prefix or has more segments. */
export function documentNameFromPath(pathname: string, prefix: string): string | null {
  const head = `${prefix}/`;
  if (!pathname.startsWith(head)) return null;
  const name = pathname.slice(head.length);
  return name.includes('/') ? null : name;
}
