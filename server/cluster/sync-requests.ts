/**
 * A document's state-vector requests to the other members: one outstanding at a time. Wishes
 * while one is outstanding make one more request once it is answered (a reply is computed against
 * the state vector we sent, so a later loss needs a later request). A request nobody answers
 * (lost, every reply lost, or no other member holds the document) is sent again after
 * `retryMs` × attempt, up to `attempts` times.
 */
export interface SyncRequestsOptions {
  /** Publishes a sync request with this id and our current state vector. */
  send: (requestId: number) => void;
  retryMs: number;
  attempts: number;
}

export class SyncRequests {
  readonly #options: SyncRequestsOptions;
  #nextRequestId = 1;
  #outstanding: { requestId: number; timer: NodeJS.Timeout } | null = null;
  #wanted = false;
  #stopped = false;

  constructor(options: SyncRequestsOptions) {
    this.#options = options;
  }

  request(): void {
    if (this.#stopped) return;
    if (this.#outstanding) {
      this.#wanted = true;
      return;
    }
    this.#send(1);
  }

  /** A reply to us arrived; only the outstanding request's id settles it. */
  answered(requestId: number): void {
    if (this.#outstanding?.requestId !== requestId) return;
    this.#settle();
  }

  stop(): void {
    this.#stopped = true;
    if (this.#outstanding) clearTimeout(this.#outstanding.timer);
    this.#outstanding = null;
  }

  #send(attempt: number): void {
    if (this.#stopped) return;
    const requestId = this.#nextRequestId++;
    this.#options.send(requestId);
    const timer = setTimeout(() => {
      this.#outstanding = null;
      if (attempt < this.#options.attempts) this.#send(attempt + 1);
      else this.#settle();
    }, this.#options.retryMs * attempt);
    timer.unref();
    this.#outstanding = { requestId, timer };
  }

  #settle(): void {
    if (this.#outstanding) clearTimeout(this.#outstanding.timer);
    this.#outstanding = null;
    if (this.#wanted) {
      this.#wanted = false;
      this.#send(1);
    }
  }
}
