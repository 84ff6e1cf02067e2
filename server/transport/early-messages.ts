/**
 * What a connection sends before its document is loaded: kept in order and handed to the room
 * once it is (nothing is answered from an empty document), but bounded by --max-early-messages
 * and --max-early-bytes, since a slow load must not let one client fill memory (Hocuspocus's
 * unbounded pre-auth queue was GHSA-xwhh-v746-pj9m). A peer drops this object once bound.
 */
import type { ClientMessage } from '../protocol/codec.js';

export interface EarlyLimits {
  maxEarlyMessages: number;
  maxEarlyBytes: number;
}

export class EarlyMessages {
  readonly messages: ClientMessage[] = [];
  #bytes = 0;

  /** Keeps one message; false when the connection has now sent more than the limits allow. */
  add(message: ClientMessage, bytes: number, limits: EarlyLimits): boolean {
    this.messages.push(message);
    this.#bytes += bytes;
    return this.messages.length <= limits.maxEarlyMessages && this.#bytes <= limits.maxEarlyBytes;
  }
}
