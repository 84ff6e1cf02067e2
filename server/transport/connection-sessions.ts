/**
 * What the WebSocket gateway and the HTTP fallback sessions (transport/http-sync/) keep about each
 * open connection (who, which document, since when, from where), and the questions asked across
 * all of them: which ones a revocation closes, the list the admin overview shows, the connection
 * an administrator closes. A linear walk each time: revocations and admin requests are rare, and
 * an index by id would cost every idle connection an entry.
 */
import type { Principal } from '../auth/principal.js';
import type { QuotaSlot } from '../auth/connection-quota.js';
import { matches, type Revocation } from '../auth/revocation-list.js';
import { CloseCode } from '../../shared/protocol.js';
import type { Room } from '../room/room.js';
import type { RoomPeer } from '../room/room-peer.js';
import type { DocumentRegistry } from '../room/document-registry.js';
import { RoomError } from '../room/room-error.js';
import type { WebSocketPeer } from './web-socket-peer.js';
import type { ExpiryEntry } from './token-expiry.js';
import type { ConnectionSummary } from '../../shared/admin-overview.js';

export interface Session {
  principal: Principal;
  docName: string;
  /** Client address (request-identity.ts `clientAddress`), for the admin overview. */
  address: string;
  /** Milliseconds since the epoch. */
  connectedAt: number;
  /** Its token's expiry, waiting in the gateway's TokenExpiries; null when the token never expires. */
  expiry: ExpiryEntry | null;
  /** Set once the document is loaded and the peer attached. */
  room: Room | null;
  /** Its place in the connection quota, given back when the connection closes. */
  slot: QuotaSlot;
}

/** What these functions need of a connection (a WebSocketPeer, or an HTTP fallback session's peer). */
export type SessionPeer = Pick<WebSocketPeer, 'id' | 'canWrite' | 'log' | 'close'>;

export type Sessions<P extends SessionPeer = WebSocketPeer> = Map<P, Session>;

/** Every open connection as the admin overview shows it, with its document. */
export function describeConnections(sessions: Sessions<SessionPeer>): Array<ConnectionSummary & { doc: string }> {
  return Array.from(sessions, ([peer, session]) => ({
    id: peer.id,
    doc: session.docName,
    sub: session.principal.sub,
    name: session.principal.name,
    access: peer.canWrite ? 'read-write' : 'read-only',
    connectedAt: new Date(session.connectedAt).toISOString(),
    remoteAddress: session.address,
  }));
}

/** Closes every connection whose token `revocation` covers with 4409; returns how many. */
export function closeRevoked(sessions: Sessions<SessionPeer>, revocation: Revocation): number {
  let closed = 0;
  for (const [peer, session] of sessions) {
    const { principal } = session;
    if (!matches(revocation, principal, session.docName)) continue;
    if (principal.iat !== null && principal.iat * 1000 >= revocation.before) continue;
    peer.log.info({ code: CloseCode.revoked }, 'token revoked; closing connection');
    peer.close(CloseCode.revoked, 'token revoked');
    closed++;
  }
  return closed;
}

/**
 * Closes connection `id` with 4205 (a reset: y-websocket reconnects, and the token decides
 * whether it gets back in; revoking is what keeps someone out). False when no such connection.
 */
export function closeByAdmin(sessions: Sessions<SessionPeer>, id: string, by: string): boolean {
  for (const peer of sessions.keys()) {
    if (peer.id !== id) continue;
    peer.log.info({ code: CloseCode.closedByAdmin, by }, 'connection closed by an administrator');
    peer.close(CloseCode.closedByAdmin, 'closed by an administrator');
    return true;
  }
  return false;
}

/**
 * Joins the session's document and binds the peer once it is loaded. A document being deleted
 * closes with 1013, not 4404: y-websocket retries 1013 and gets the document once deleted (empty),
 * while it stops for good on 44xx codes. Any other failure closes with 1011.
 */
export function joinDocument(registry: DocumentRegistry, session: Session, peer: RoomPeer & SessionPeer & { bind(room: Room): void }): void {
  registry.join(session.docName, peer).then(
    (room) => {
      if (!peer.isOpen) return;
      session.room = room;
      peer.bind(room);
    },
    (error: unknown) => {
      if (error instanceof RoomError && error.code === 'document-deleting') {
        peer.close(CloseCode.tryAgainLater, 'document being deleted');
        return;
      }
      peer.log.error({ err: error }, 'could not open document');
      peer.close(CloseCode.internalError, 'document unavailable');
    },
  );
}
