/**
 * Saved-ack latency for one connection: the arrival time of each update-bearing message it sent,
 * until a saved ack `[100, n]` covers it (the first n such messages are durable). Kept only for
 * connections that asked for acks and only while metrics are on; drained by every ack.
 */
import * as decoding from 'lib0/decoding';
import { performance } from 'node:perf_hooks';

export interface AckLatencySink {
  savedAckLatency(seconds: number): void;
}

export class AckTimes {
  /**
   * Arrival times (ms, performance.now) of the messages after the last acknowledged one; null
   * while every one is acknowledged, the usual state of an idle connection (an empty array is 32
   * bytes each).
   */
  #arrivals: number[] | null = null;
  #acknowledged = 0;

  arrived(): void {
    (this.#arrivals ??= []).push(performance.now());
  }

  /** `ack` is the encoded `[100, n]` message being sent. */
  acknowledged(ack: Uint8Array, sink: AckLatencySink): void {
    const decoder = decoding.createDecoder(ack);
    decoding.readVarUint(decoder);
    const count = decoding.readVarUint(decoder);
    const arrivals = this.#arrivals;
    if (arrivals === null) return;
    const covered = Math.min(count - this.#acknowledged, arrivals.length);
    if (covered <= 0) return;
    const now = performance.now();
    for (let i = 0; i < covered; i++) sink.savedAckLatency((now - arrivals[i]!) / 1000);
    this.#arrivals = covered === arrivals.length ? null : arrivals.slice(covered);
    this.#acknowledged += covered;
  }
}
