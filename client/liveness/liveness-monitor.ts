/**
 * Decides, for one open connection of any transport, whether the server is still answering.
 *
 * In: the connection opened and closed, each update-bearing message sent, the saved-ack count
 * received, and every message received at all. Out: `probe()` (ask the server for a cheap
 * answer, the heartbeat) and `onDead()` (this connection stopped answering: close it and
 * reconnect).
 *
 * A question is pending while an edit sent after the last message received is unacknowledged, or
 * while a heartbeat is unanswered. The connection is dead once a question has been pending for
 * `answerTimeoutMs` with nothing at all received since it was asked. Any message counts as life,
 * not only the ack: a server whose storage is slow still answers heartbeats, and reconnecting
 * would not make its storage faster (the save status keeps saying "Unsaved changes" meanwhile);
 * and a read-only connection's handshake step 2 is never acknowledged. So an edit sent into
 * silence gets a heartbeat after `pendingProbeMs`, and so does one still unacknowledged
 * `pendingProbeMs` after the last message received (a message already on its way when the
 * network went says nothing about the edit); with nothing waiting, a heartbeat goes out after
 * `idleProbeMs` of silence, so an idle connection that died is noticed too.
 *
 * `probeNow()` (the browser hints the network changed) wants two answers in a row, a second
 * heartbeat 1 s after the first answer: the first "answer" may be a message the server sent
 * before the network went, still arriving.
 *
 * Until a new connection's first message arrives, edits are not questions: the server answers
 * nothing before the document has loaded (seconds for a large one), and reconnecting would only
 * join the same load again. Such a connection gets the idle heartbeat timeline.
 *
 * Pure: time comes from the injected clock, so tests drive it.
 */

export interface LivenessClock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface LivenessTimings {
  /** A question unanswered this long, with the connection silent as long: dead. @default 4000 */
  answerTimeoutMs: number;
  /** Silence while an edit waits for its ack before a heartbeat goes out. @default 1000 */
  pendingProbeMs: number;
  /** Silence while nothing waits before a heartbeat goes out. @default 10000 */
  idleProbeMs: number;
}

export const DEFAULT_LIVENESS_TIMINGS: Readonly<LivenessTimings> = Object.freeze({
  answerTimeoutMs: 4000,
  pendingProbeMs: 1000,
  idleProbeMs: 10_000,
});

export interface LivenessMonitorOptions {
  timings?: Partial<LivenessTimings>;
  clock?: LivenessClock;
  /** Sends a heartbeat the server answers on the current connection. */
  probe(): void;
  /** The current connection stopped answering (called once per connection). */
  onDead(): void;
}

export interface LivenessMonitor {
  /** A connection is open: its ack count starts at zero. */
  opened(): void;
  closed(): void;
  /** An update-bearing message went out on the open connection (the server will ack it). */
  sent(): void;
  /** The server's saved-ack count on this connection (cumulative). */
  acknowledged(count: number): void;
  /** Any message arrived on the open connection. */
  received(): void;
  /** Asks for an answer now (the browser hints the network changed, the tab came back). */
  probeNow(): void;
  destroy(): void;
}

export const systemClock: LivenessClock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export function createLivenessMonitor(options: LivenessMonitorOptions): LivenessMonitor {
  const timings = { ...DEFAULT_LIVENESS_TIMINGS, ...options.timings };
  const clock = options.clock ?? systemClock;
  let isOpen = false;
  /** Send times of the update-bearing messages not yet acknowledged, oldest first. */
  let unacked: number[] = [];
  let ackedCount = 0;
  let sentCount = 0;
  let lastReceivedAt = 0;
  /** Something arrived on this connection: the server has loaded the document and answers. */
  let hasAnswered = false;
  /** Heartbeats still to be answered, `pendingProbeMs` apart, after a `probeNow()`. */
  let confirmations = 0;
  /** When the unanswered heartbeat went out; null when none is pending. */
  let probeSentAt: number | null = null;
  let timer: unknown = null;

  /** Send time of the oldest unacknowledged edit that nothing received has followed yet. */
  const unansweredEditSince = (): number | null => (hasAnswered ? (unacked.find((sentAt) => sentAt >= lastReceivedAt) ?? null) : null);

  /** When the connection counts as dead, and when the next heartbeat is due (null: none due). */
  const nextTimes = (): { deadAt: number | null; probeAt: number | null } => {
    const edit = unansweredEditSince();
    const asked = edit === null ? probeSentAt : probeSentAt === null ? edit : Math.min(edit, probeSentAt);
    const deadAt = asked === null ? null : asked + timings.answerTimeoutMs;
    if (probeSentAt !== null) return { deadAt, probeAt: null };
    // Edits still waiting for their ack keep the short timeline after whatever arrived since:
    // a message that was already on its way when the network went must not buy 10 s of trust.
    const isWaiting = confirmations > 0 || (hasAnswered && unacked.length > 0);
    const probeAt = edit !== null ? edit + timings.pendingProbeMs : lastReceivedAt + (isWaiting ? timings.pendingProbeMs : timings.idleProbeMs);
    return { deadAt, probeAt };
  };

  const sendProbe = (): void => {
    probeSentAt = clock.now();
    options.probe();
  };

  const schedule = (): void => {
    if (timer !== null) clock.clearTimeout(timer);
    timer = null;
    if (!isOpen) return;
    const { deadAt, probeAt } = nextTimes();
    const at = Math.min(deadAt ?? Infinity, probeAt ?? Infinity);
    if (at === Infinity) return;
    timer = clock.setTimeout(check, Math.max(0, at - clock.now()));
  };

  const check = (): void => {
    timer = null;
    if (!isOpen) return;
    const now = clock.now();
    const { deadAt, probeAt } = nextTimes();
    if (deadAt !== null && now >= deadAt) {
      isOpen = false;
      options.onDead();
      return;
    }
    if (probeAt !== null && now >= probeAt) sendProbe();
    schedule();
  };

  return {
    opened() {
      isOpen = true;
      unacked = [];
      ackedCount = 0;
      sentCount = 0;
      probeSentAt = null;
      confirmations = 0;
      hasAnswered = false;
      lastReceivedAt = clock.now();
      schedule();
    },
    closed() {
      isOpen = false;
      schedule();
    },
    sent() {
      if (!isOpen) return;
      sentCount++;
      unacked.push(clock.now());
      schedule();
    },
    acknowledged(count) {
      if (!isOpen) return;
      const upTo = Math.min(count, sentCount);
      if (upTo > ackedCount) {
        unacked = unacked.slice(upTo - ackedCount);
        ackedCount = upTo;
      }
      schedule();
    },
    received() {
      if (!isOpen) return;
      lastReceivedAt = clock.now();
      hasAnswered = true;
      // Any message answers the heartbeat: the server is reading and writing this connection.
      if (probeSentAt !== null && confirmations > 0) confirmations--;
      probeSentAt = null;
      schedule();
    },
    probeNow() {
      if (!isOpen) return;
      confirmations = 2;
      if (probeSentAt !== null) return;
      sendProbe();
      schedule();
    },
    destroy() {
      isOpen = false;
      schedule();
    },
  };
}
