/** Why a pub/sub call failed; `code` is stable for logs and for callers that decide to retry. */
export type PubSubErrorCode =
  /** The topic is empty, too long or has characters outside printable ASCII. */
  | 'invalid-topic'
  /** `close()` was called: nothing more is sent or delivered. */
  | 'closed'
  /** The broker is not reachable right now; nothing was sent. Retry after `onReconnect`. */
  | 'unavailable'
  /** The publish was sent but not confirmed (connection lost or timed out): it may or may not
   * have been delivered. */
  | 'publish-failed'
  | 'subscribe-failed'
  /** The factory could not reach the broker within its deadline. */
  | 'connect-failed';

export class PubSubError extends Error {
  readonly code: PubSubErrorCode;

  constructor(code: PubSubErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PubSubError';
    this.code = code;
  }
}
