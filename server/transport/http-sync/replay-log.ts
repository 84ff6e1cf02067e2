/**
 * What an HTTP fallback session sent downstream, numbered from 1, kept so that a dropped stream
 * resumes without loss or duplicates: the client reconnects with the last number it read and gets
 * exactly what follows. Frames go once the client has confirmed them (a resume or a POST says how
 * far it read), and the oldest go once more than `maxBytes` are kept: a client that resumes from
 * before what is left cannot be served, and must start a new session (its sync steps then bring
 * it up to date).
 */
export interface NumberedFrame {
  seq: number;
  message: Uint8Array;
}

export class ReplayLog {
  readonly #maxBytes: number;
  #frames: NumberedFrame[] = [];
  /** Index of the first kept frame in #frames (shifted lazily, so trimming stays O(1) per frame). */
  #head = 0;
  #bytes = 0;
  #lastSeq = 0;
  /** Everything up to here is gone from the log (confirmed, or dropped for space). */
  #trimmedTo = 0;

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  get lastSeq(): number {
    return this.#lastSeq;
  }

  get keptBytes(): number {
    return this.#bytes;
  }

  append(message: Uint8Array): NumberedFrame {
    const frame = { seq: ++this.#lastSeq, message };
    this.#frames.push(frame);
    this.#bytes += message.length;
    // The newest frame always stays, however large: the client has not had a chance to read it.
    while (this.#bytes > this.#maxBytes && this.#head < this.#frames.length - 1) this.#dropOldest();
    return frame;
  }

  /** The client has read everything up to `seq`: those frames are not needed again. */
  confirm(seq: number): void {
    while (this.#head < this.#frames.length && this.#frames[this.#head]!.seq <= seq) this.#dropOldest();
    this.#trimmedTo = Math.max(this.#trimmedTo, Math.min(seq, this.#lastSeq));
    this.#compact();
  }

  /** The frames after `seq`, or null when some of them are no longer kept (or `seq` was never sent). */
  after(seq: number): NumberedFrame[] | null {
    if (seq > this.#lastSeq || seq < this.#trimmedTo) return null;
    const start = this.#head + (seq - this.#firstSeq() + 1);
    return this.#frames.slice(Math.max(this.#head, start));
  }

  #firstSeq(): number {
    return this.#trimmedTo + 1;
  }

  #dropOldest(): void {
    const frame = this.#frames[this.#head]!;
    this.#frames[this.#head] = undefined as unknown as NumberedFrame;
    this.#head++;
    this.#bytes -= frame.message.length;
    this.#trimmedTo = frame.seq;
    this.#compact();
  }

  #compact(): void {
    if (this.#head > 64 && this.#head * 2 > this.#frames.length) {
      this.#frames = this.#frames.slice(this.#head);
      this.#head = 0;
    }
  }
}
