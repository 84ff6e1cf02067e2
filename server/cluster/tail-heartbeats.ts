/**
 * Reveals a lost last message. Gap detection needs a later message to compare with, so after a
 * member's last message on a document it sends a few heartbeats there (by default 200 ms, 1 s and
 * 3 s after it): if the last real message was lost, the heartbeat's seq jumps and the receiver
 * resynchronises. Costs one timer per document, re-armed lazily (a busy document does not
 * reset a timer per message).
 */
export class TailHeartbeats {
  readonly #delaysMs: readonly number[];
  readonly #send: () => void;
  #lastSentAt = 0;
  #step = 0;
  #timer: NodeJS.Timeout | null = null;
  #stopped = false;

  /** `delaysMs`: after the last message, ascending; `send` publishes one heartbeat. */
  constructor(delaysMs: readonly number[], send: () => void) {
    this.#delaysMs = delaysMs;
    this.#send = send;
  }

  /** A real message went out. */
  noteSent(): void {
    this.#lastSentAt = Date.now();
    this.#step = 0;
    this.#arm(this.#delaysMs[0] ?? 0);
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #arm(delayMs: number): void {
    if (this.#timer || this.#stopped || this.#delaysMs.length === 0) return;
    this.#timer = setTimeout(this.#onTimer, Math.max(0, delayMs));
    this.#timer.unref();
  }

  readonly #onTimer = (): void => {
    this.#timer = null;
    const due = this.#delaysMs[this.#step];
    if (this.#stopped || due === undefined) return;
    const elapsed = Date.now() - this.#lastSentAt;
    // Sent again since this timer was armed: wait for the newer message's delay instead.
    if (elapsed < due) return this.#arm(due - elapsed);
    this.#send();
    this.#step++;
    const next = this.#delaysMs[this.#step];
    if (next !== undefined) this.#arm(next - elapsed);
  };
}
