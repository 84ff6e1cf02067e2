/**
 * The HTTP fallback transport's routes (README "HTTP fallback transport"), mounted at `/sync`:
 *
 *   POST   /sync/:name/sessions                        open a session → 201 { sessionId, … }
 *   GET    /sync/:name/sessions/:id/stream?after=n     the downstream: records after frame n
 *   POST   /sync/:name/sessions/:id/messages           upstream: a batch of messages, numbered by
 *                                                      the Tandem-Seq header (or ?seq=s)
 *   DELETE /sync/:name/sessions/:id                    leave (presence removed at once)
 *
 * Every request carries the token (`Authorization: Bearer` or `?token=`; never the cookie, which
 * a browser would attach to cross-site requests too). Refusals are JSON `{ error: { code, message },
 * closeCode? }`, closeCode when the refusal ended the session. A POST is applied once: its `seq`
 * must be the next one, an earlier one is answered as a duplicate and not applied again. A bad body
 * (framing, a message the codec refuses) ends the session like a bad frame closes a WebSocket, and
 * nothing of it is applied: every message is decoded before any reaches the room.
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { decodeMessageBatch, FramingError } from '../../../shared/http-sync-framing.js';
import { CloseCode } from '../../../shared/protocol.js';
import { decodeClientMessage } from '../../protocol/codec.js';
import { ProtocolError } from '../../protocol/protocol-error.js';
import type { HttpSessionPeer, ReceivedMessage } from './http-session-peer.js';
import { SyncRefusal, type HttpSyncSessions } from './http-sync-sessions.js';

/** Per session: the last POST sequence number accepted (a WeakMap: the peer knows nothing of POSTs). */
const acceptedSeq = new WeakMap<HttpSessionPeer, number>();

export function createHttpSyncRouter(sessions: HttpSyncSessions, options: { maxMessageBytes: number }): Router {
  const router = express.Router();
  // The largest message plus its length prefix: a message too big for a WebSocket is too big here.
  const maxBodyBytes = options.maxMessageBytes + 10;

  router.post('/:name/sessions', async (req, res) => {
    const { sessionId, peer } = await sessions.open(req, String(req.params.name));
    res.status(201).json({
      sessionId,
      connectionId: peer.id,
      access: peer.canWrite ? 'read-write' : 'read-only',
      saveAck: peer.wantsSaveAck,
      heartbeatMs: sessions.heartbeatMs,
      idleTimeoutMs: sessions.idleTimeoutMs,
      maxBodyBytes,
    });
  });

  const findSession = async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    res.locals.peer = await sessions.find(req, String(req.params.name), String(req.params.id));
    next();
  };

  router.get('/:name/sessions/:id/stream', findSession, (req, res) => {
    const peer = res.locals.peer as HttpSessionPeer;
    const after = intParam(req, 'after', 0);
    if (!peer.canResumeAfter(after)) {
      peer.log.info({ after, code: CloseCode.tryAgainLater }, 'stream resumed from before the replay window; ending http session');
      peer.close(CloseCode.tryAgainLater, 'resume point no longer kept');
      throw new SyncRefusal(410, 'resume-gone', 'frames after this position are no longer kept; open a new session', CloseCode.tryAgainLater);
    }
    res.writeHead(200, {
      'Content-Type': 'application/octet-stream',
      'Cache-Control': 'no-store',
      // nginx buffers responses by default, which would hold the stream back.
      'X-Accel-Buffering': 'no',
    });
    res.flushHeaders();
    peer.openStream(res, after);
  });

  router.post('/:name/sessions/:id/messages', findSession, express.raw({ type: 'application/octet-stream', limit: maxBodyBytes }), async (req, res) => {
    const peer = res.locals.peer as HttpSessionPeer;
    const ack = intParam(req, 'ack', -1);
    if (ack >= 0) peer.confirm(ack);
    const seq = intParam(req, 'seq', -1);
    if (seq < 1) throw new SyncRefusal(400, 'bad-request', 'seq must be a positive integer');
    const last = acceptedSeq.get(peer) ?? 0;
    if (seq <= last) {
      res.json({ seq, duplicate: true });
      return;
    }
    if (seq !== last + 1) throw new SyncRefusal(409, 'out-of-order', `expected seq ${last + 1}`);
    if (!Buffer.isBuffer(req.body)) throw new SyncRefusal(415, 'unsupported-media-type', 'send application/octet-stream');
    const messages = decodeBody(peer, req.body, options.maxMessageBytes);
    acceptedSeq.set(peer, seq);
    await peer.receive(messages);
    if (!peer.isOpen) throw new SyncRefusal(410, 'session-closed', 'the session ended while its messages were applied', peer.closeCode);
    res.json({ seq, duplicate: false });
  });

  router.delete('/:name/sessions/:id', findSession, (_req, res) => {
    sessions.leave(res.locals.peer as HttpSessionPeer);
    res.status(204).end();
  });

  router.use((error: unknown, _req: Request, res: Response, next: NextFunction) => {
    const status = (error as { status?: unknown }).status;
    let refusal: SyncRefusal | null = error instanceof SyncRefusal ? error : null;
    if (!refusal && status === 413) refusal = new SyncRefusal(413, 'too-large', `bodies are at most ${maxBodyBytes} bytes`);
    if (!refusal) return next(error);
    if (res.headersSent) {
      res.end();
      return;
    }
    const body: Record<string, unknown> = { error: { code: refusal.code, message: refusal.message } };
    if (refusal.closeCode !== null) body.closeCode = refusal.closeCode;
    res.status(refusal.status).json(body);
  });
  return router;
}

/** Every message of the body, decoded; a bad one ends the session and refuses the whole body. */
function decodeBody(peer: HttpSessionPeer, body: Buffer, maxMessageBytes: number): ReceivedMessage[] {
  try {
    return decodeMessageBatch(body).map((bytes) => {
      if (bytes.length > maxMessageBytes) throw new SyncRefusal(413, 'message-too-big', `messages are at most ${maxMessageBytes} bytes`, CloseCode.messageTooBig);
      return { message: decodeClientMessage(bytes), bytes };
    });
  } catch (error) {
    const refusal =
      error instanceof SyncRefusal
        ? error
        : error instanceof FramingError
          ? new SyncRefusal(400, 'bad-framing', error.message, CloseCode.invalidData)
          : error instanceof ProtocolError
            ? new SyncRefusal(400, error.code, error.message, error.closeCode)
            : new SyncRefusal(400, 'malformed-message', String(error), CloseCode.invalidData);
    peer.log.warn({ code: refusal.closeCode, reason: refusal.code }, refusal.message);
    peer.close(refusal.closeCode as Parameters<HttpSessionPeer['close']>[0], refusal.code);
    throw refusal;
  }
}

/**
 * `seq` / `ack` of a POST (and `after` of a stream): the `Tandem-Seq` / `Tandem-Ack` header (what the client sends: the
 * URL stays the same for a whole session, so a cross-origin browser's cached preflight covers
 * every POST), else the query parameter of that name.
 */
function intParam(req: Request, name: 'seq' | 'ack' | 'after', fallback: number): number {
  const raw = req.get(`tandem-${name}`) ?? req.query[name];
  if (raw === undefined) return fallback;
  if (typeof raw !== 'string' || !/^\d{1,15}$/.test(raw)) throw new SyncRefusal(400, 'bad-request', `${name} must be a non-negative integer`);
  return Number(raw);
}
