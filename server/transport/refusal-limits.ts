/**
 * The two policy limits every peer kind enforces the same way: a read-only connection that keeps
 * sending document changes, and a connection that keeps changing other connections' presence.
 * Past either limit the connection is closed with 1008 (the caller's `close`).
 */
import { CloseCode, type CloseCodeValue } from '../../shared/protocol.js';

type Close = (code: CloseCodeValue, reason: string, logMessage: string) => void;

export class RefusalLimits {
  readonly #limits: { maxRefusedWrites: number; maxRefusedAwareness: number };
  readonly #close: Close;
  #writes = 0;
  #awareness = 0;

  constructor(limits: { maxRefusedWrites: number; maxRefusedAwareness: number }, close: Close) {
    this.#limits = limits;
    this.#close = close;
  }

  refusedWrite(): void {
    if (++this.#writes > this.#limits.maxRefusedWrites) {
      this.#close(CloseCode.policyViolation, 'read-only', 'read-only connection kept sending document changes');
    }
  }

  refusedAwareness(count: number): void {
    this.#awareness += count;
    if (this.#awareness > this.#limits.maxRefusedAwareness) {
      this.#close(CloseCode.policyViolation, 'presence of others', "connection kept changing other connections' presence");
    }
  }
}
