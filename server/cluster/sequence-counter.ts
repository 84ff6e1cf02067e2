/**
 * The sending side of gap detection: the next `seq` for each topic this member publishes on.
 *
 * Numbers within a topic are consecutive, so a receiver notices a lost message. A topic can be
 * forgotten (its document unloaded) without ever reusing numbers: a topic's numbering starts at
 * the member-wide count of messages sent so far, which is at least every number that topic used
 * before (each topic message advances both). A receiver that remembers the old numbers sees a
 * jump, reports a gap and resyncs, where numbering from 0 again would have looked like duplicates
 * and been dropped.
 */
export class SequenceCounter {
  readonly #next = new Map<string, number>();
  #sent = 0;

  /** The seq for the next message on `topic`; every call consumes one. */
  next(topic: string): number {
    const seq = this.#next.get(topic) ?? this.#sent;
    this.#next.set(topic, seq + 1);
    this.#sent++;
    return seq;
  }

  /** Drops a topic's counter (bounded memory); its numbering later continues above the old one. */
  forget(topic: string): void {
    this.#next.delete(topic);
  }

  get topics(): number {
    return this.#next.size;
  }
}
