/**
 * Write-to-receive latency for a document with exactly one writer. The writer appends one
 * character per edit, so a receiver whose text has grown to `base + k` has seen the first k
 * edits; observing the Y.Text tells when each arrived, with one clock (one process).
 */
import type { BenchClient } from '../clients/bench-client.js';

export class LatencyRecorder {
  readonly samples: number[] = [];
  private readonly sendTimes: number[] = [];
  private readonly base: number;
  private readonly receivers: readonly BenchClient[];
  /** Per receiver, how many edits it has seen. */
  private readonly seen = new Map<BenchClient, number>();
  private recording = true;
  /** Edits before this index are warm-up and not sampled. */
  private measuredFrom = 0;

  constructor(
    private readonly writer: BenchClient,
    receivers: readonly BenchClient[],
  ) {
    this.base = writer.text.length;
    this.receivers = receivers;
    for (const receiver of receivers) {
      this.seen.set(receiver, receiver.text.length - this.base);
      receiver.text.observe(() => {
        const now = performance.now();
        const reached = receiver.text.length - this.base;
        const seen = this.seen.get(receiver)!;
        if (this.recording) {
          for (let i = Math.max(seen, this.measuredFrom); i < reached && i < this.sendTimes.length; i++) {
            this.samples.push(now - this.sendTimes[i]!);
          }
        }
        this.seen.set(receiver, Math.max(seen, reached));
      });
    }
  }

  /** Edits written from now on are sampled; earlier ones were warm-up (JIT, first allocations). */
  startMeasuring(): void {
    this.measuredFrom = this.sendTimes.length;
  }

  /** performance.now() when edit i (0-based) was written. */
  sentAt(i: number): number | undefined {
    return this.sendTimes[i];
  }

  get edits(): number {
    return this.sendTimes.length;
  }

  /** One keystroke from the writer, sent by its provider synchronously. */
  write(): void {
    this.sendTimes.push(performance.now());
    this.writer.text.insert(this.writer.text.length, 'x');
  }

  /** Edits that have reached every receiver. */
  deliveredToAll(): number {
    let min = Infinity;
    for (const receiver of this.receivers) min = Math.min(min, receiver.text.length - this.base);
    return Math.min(min, this.edits);
  }

  /** Receiver × edit pairs not (yet) delivered. */
  missingDeliveries(): number {
    let missing = 0;
    for (const receiver of this.receivers) missing += Math.max(0, this.edits - (receiver.text.length - this.base));
    return missing;
  }

  /**
   * Stops sampling. Measured edits some receiver still lacks are sampled as their age now, a
   * lower bound: a server that stalls must not look fast because its slowest edits never arrive.
   * Returns how many such censored samples were added.
   */
  stop(): number {
    if (!this.recording) return 0;
    this.recording = false;
    const now = performance.now();
    let censored = 0;
    for (const receiver of this.receivers) {
      for (let i = Math.max(this.seen.get(receiver)!, this.measuredFrom); i < this.sendTimes.length; i++) {
        this.samples.push(now - this.sendTimes[i]!);
        censored += 1;
      }
    }
    return censored;
  }
}
