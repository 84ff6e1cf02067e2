/**
 * Runs an async task one at a time: a request while it runs makes exactly one more run after it,
 * however many requests came meanwhile (store catch-ups after a burst of gaps cost one or two
 * loads, not one per gap). Errors go to `onError`; `stop()` ends further runs.
 */
export class SerialTask {
  readonly #run: () => Promise<void>;
  readonly #onError: (error: unknown) => void;
  #running = false;
  #again = false;
  #stopped = false;

  constructor(run: () => Promise<void>, onError: (error: unknown) => void) {
    this.#run = run;
    this.#onError = onError;
  }

  request(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    void this.#loop();
  }

  stop(): void {
    this.#stopped = true;
  }

  async #loop(): Promise<void> {
    this.#running = true;
    try {
      do {
        this.#again = false;
        try {
          await this.#run();
        } catch (error) {
          this.#onError(error);
        }
      } while (this.#again && !this.#stopped);
    } finally {
      this.#running = false;
    }
  }
}
