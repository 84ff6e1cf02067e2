/**
 * Wire protocol constants shared by the Tandem server and client.
 *
 * Tandem speaks the standard y-websocket protocol (message types 0-3 from y-protocols), so the
 * stock `y-websocket` WebsocketProvider works unchanged. On top of it there is one opt-in
 * extension, the saved acknowledgement, which stock clients never receive.
 */

/** y-websocket top-level message types (the first varuint of every frame). */
export const MessageType = {
  sync: 0,
  awareness: 1,
  auth: 2,
  queryAwareness: 3,
  /**
   * Tandem extension, server → client only: `[100, durableCount]` (two varuints).
   * Sent only to connections that opted in with the `saveAck=1` query parameter.
   */
  savedAck: 100,
} as const;

/** Sub-types of a `sync` message (y-protocols/sync). */
export const SyncMessageType = {
  step1: 0,
  step2: 1,
  update: 2,
} as const;

/**
 * Query parameter that opts a connection in to saved acknowledgements.
 *
 * Promise of an ack `[100, n]`: every document change carried by the first `n` update-bearing
 * messages (sync step 2 and sync update) that this client sent on this WebSocket connection has
 * been written to the server's store and will be served after a crash or kill of the server
 * process. With `TANDEM_FSYNC=1` the write is also fsynced, so it survives power loss; without
 * it, an OS crash or power cut may lose the last few hundred milliseconds of writes.
 * The count restarts at 0 on every new connection.
 */
export const SAVE_ACK_PARAM = 'saveAck';

/**
 * Query parameter (`?ownPresence=1`) a client sets to say that it sends only its own awareness
 * state, never echoing other people's (client/transport/own-presence-only.ts). The server then
 * keeps no record of the presence messages it sent that client to recognise echoes by, and may
 * send it presence messages that hold its own state too: y-protocols ignores a state whose clock
 * it already has. In a hot document every such connection then gets the same frame, where a stock
 * client that moved its cursor needs a message of its own.
 */
export const OWN_PRESENCE_PARAM = 'ownPresence';

/** WebSocket close codes the server uses; 44xx are Tandem's own application codes. */
export const CloseCode = {
  normal: 1000,
  goingAway: 1001,
  protocolError: 1002,
  unsupportedData: 1003,
  invalidData: 1007,
  policyViolation: 1008,
  messageTooBig: 1009,
  internalError: 1011,
  serviceRestart: 1012,
  tryAgainLater: 1013,
  /**
   * An administrator closed the connection (POST /api/admin/connections/:id/close). A reset, not
   * a ban: outside 4400-4499, so y-websocket reconnects and the token decides (revoke to keep out).
   */
  closedByAdmin: 4205,
  unauthorized: 4401,
  forbidden: 4403,
  /** The document was deleted (DELETE /api/docs/:name); reconnecting opens it empty. */
  documentDeleted: 4404,
  tokenExpired: 4408,
  revoked: 4409,
  rateLimited: 4429,
} as const;

export type CloseCodeValue = (typeof CloseCode)[keyof typeof CloseCode];
