/**
 * How much sync-answer work one connection may cause, as a token bucket of answer bytes.
 *
 * A sync step 1 is a few bytes; its answer can be the whole document, and computing one that is
 * not cached costs an encode of everything it contains. The bytes of the answers a peer asked
 * for stand in for that work (and for the bandwidth). The first answer on a connection is free,
 * whatever its size: a client asks once per connection, so only repeated asking is charged.
 * Past the bucket, the room holds the peer's further messages and pauses its input until the
 * debt is paid back: slowed, never dropped, as the input throttle does.
 */
export interface AnswerBudgetLimits {
  /** Answer bytes per second a connection earns. */
  bytesPerSecond: number;
  /** Answer bytes a connection may use at once, beyond its free first answer. */
  burstBytes: number;
}

export const DEFAULT_ANSWER_BUDGET: AnswerBudgetLimits = {
  bytesPerSecond: 2 * 1024 * 1024,
  burstBytes: 4 * 1024 * 1024,
};

/** Reading resumes once this share of the burst has refilled, not at the first free byte. */
const RESUME_FRACTION = 0.1;

export class AnswerBudget {
  readonly #limits: AnswerBudgetLimits;
  readonly #now: () => number;
  #level: number;
  #at: number;

  constructor(limits: AnswerBudgetLimits, now: () => number = () => performance.now()) {
    this.#limits = limits;
    this.#now = now;
    this.#level = limits.burstBytes;
    this.#at = now();
  }

  /** Charges an answer of `bytes`; returns how many ms to hold the peer (0: carry on). */
  charge(bytes: number): number {
    this.#refill();
    this.#level -= bytes;
    return this.waitMs();
  }

  /** Milliseconds until the bucket is back to its resume level (0 when not in debt). */
  waitMs(): number {
    this.#refill();
    if (this.#level >= 0) return 0;
    const { bytesPerSecond, burstBytes } = this.#limits;
    return Math.ceil(((-this.#level + burstBytes * RESUME_FRACTION) / bytesPerSecond) * 1000);
  }

  #refill(): void {
    const now = this.#now();
    const elapsed = now - this.#at;
    this.#at = now;
    if (elapsed > 0) this.#level = Math.min(this.#limits.burstBytes, this.#level + (elapsed * this.#limits.bytesPerSecond) / 1000);
  }
}

/** A peer's side of it, kept in its state: plain fields, the bucket only from the second answer. */
export interface AnswerAccount {
  answered: boolean;
  budget: AnswerBudget | null;
}

/** Charges an answer of `bytes` to `account`; returns how many ms to hold the peer (0: carry on). */
export function chargeAnswer(account: AnswerAccount, bytes: number, limits: AnswerBudgetLimits): number {
  if (!account.answered) {
    account.answered = true;
    return 0;
  }
  account.budget ??= new AnswerBudget(limits);
  return account.budget.charge(bytes);
}
