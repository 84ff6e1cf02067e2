import { describe, expect, it } from 'vitest';
import { createLivenessMonitor, type LivenessClock, type LivenessMonitor } from './liveness-monitor.js';

/** A clock the test moves: timers fire, in order, only inside `advance`. */
function drivenClock(): LivenessClock & { advance(ms: number): void } {
  let now = 0;
  let nextId = 0;
  const timers = new Map<number, { at: number; callback: () => void }>();
  return {
    now: () => now,
    setTimeout(callback, ms) {
      const id = nextId++;
      timers.set(id, { at: now + ms, callback });
      return id;
    },
    clearTimeout(handle) {
      timers.delete(handle as number);
    },
    advance(ms) {
      const end = now + ms;
      for (;;) {
        const due = [...timers.entries()].filter(([, timer]) => timer.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        timers.delete(due[0]);
        now = due[1].at;
        due[1].callback();
      }
      now = end;
    },
  };
}

function setup(): { clock: ReturnType<typeof drivenClock>; monitor: LivenessMonitor; probes: number[]; deaths: number[] } {
  const clock = drivenClock();
  const probes: number[] = [];
  const deaths: number[] = [];
  const monitor = createLivenessMonitor({
    clock,
    timings: { answerTimeoutMs: 4000, pendingProbeMs: 1000, idleProbeMs: 10_000 },
    probe: () => probes.push(clock.now()),
    onDead: () => deaths.push(clock.now()),
  });
  return { clock, monitor, probes, deaths };
}

describe('liveness monitor', () => {
  it('declares a connection dead 4 s after an edit that got neither an ack nor any other message, with a heartbeat at 1 s', () => {
    const { clock, monitor, probes, deaths } = setup();
    monitor.opened();
    monitor.received();
    clock.advance(500);
    monitor.sent();
    clock.advance(3999);
    expect(probes).toEqual([1500]);
    expect(deaths).toEqual([]);
    clock.advance(1);
    expect(deaths).toEqual([4500]);
    // Once: a dead connection reports nothing more until the next one opens.
    clock.advance(60_000);
    expect(deaths).toEqual([4500]);
  });

  it('keeps the deadline of the oldest unanswered edit while more edits are typed into the silence', () => {
    const { clock, monitor, deaths } = setup();
    monitor.opened();
    monitor.received();
    monitor.sent();
    for (let i = 0; i < 30; i++) {
      clock.advance(100);
      monitor.sent();
    }
    clock.advance(1000);
    expect(deaths).toEqual([4000]);
  });

  it('keeps a connection whose edits are acknowledged', () => {
    const { clock, monitor, probes, deaths } = setup();
    monitor.opened();
    for (let i = 1; i <= 50; i++) {
      monitor.sent();
      clock.advance(300);
      monitor.received();
      monitor.acknowledged(i);
    }
    clock.advance(9999);
    expect(probes).toEqual([]);
    expect(deaths).toEqual([]);
  });

  it('keeps a connection whose acks are slow as long as its heartbeats are answered (slow storage is not a dead socket), asking every second while the edit waits', () => {
    const { clock, monitor, probes, deaths } = setup();
    monitor.opened();
    monitor.received();
    monitor.sent();
    // A live server answers each heartbeat 20 ms later; the ack takes 9 s.
    for (let second = 1; second <= 8; second++) {
      clock.advance(1000);
      expect(probes).toHaveLength(second);
      clock.advance(20);
      monitor.received();
    }
    expect(deaths).toEqual([]);
    monitor.received();
    monitor.acknowledged(1);
    clock.advance(5000);
    expect(deaths).toEqual([]);
    expect(probes).toHaveLength(8); // nothing waits: back to the idle timeline
  });

  it('notices an edit sent just before a last message arrived (already on its way when the network went) within 5 s, not after the idle 10 s', () => {
    const { clock, monitor, probes, deaths } = setup();
    monitor.opened();
    monitor.received();
    monitor.sent();
    clock.advance(5);
    monitor.received();
    clock.advance(6000);
    expect(probes).toEqual([1005]);
    expect(deaths).toEqual([5005]);
  });

  it('sends a heartbeat after 10 s of idle silence and declares the connection dead 4 s after it went unanswered', () => {
    const { clock, monitor, probes, deaths } = setup();
    monitor.opened();
    clock.advance(10_000);
    expect(probes).toEqual([10_000]);
    clock.advance(3999);
    expect(deaths).toEqual([]);
    clock.advance(1);
    expect(deaths).toEqual([14_000]);
  });

  it('counts any message as the heartbeat answer and waits another 10 s of silence before the next one', () => {
    const { clock, monitor, probes, deaths } = setup();
    monitor.opened();
    clock.advance(10_050);
    monitor.received();
    clock.advance(10_000);
    expect(probes).toEqual([10_000, 20_050]);
    monitor.received();
    clock.advance(9_000);
    expect(probes).toEqual([10_000, 20_050]);
    expect(deaths).toEqual([]);
  });

  it('probes at once when asked (network change) and declares the connection dead 4 s later without an answer', () => {
    const { clock, monitor, probes, deaths } = setup();
    monitor.opened();
    clock.advance(2000);
    monitor.probeNow();
    monitor.probeNow();
    expect(probes).toEqual([2000]);
    clock.advance(4000);
    expect(deaths).toEqual([6000]);
  });

  it('wants a second answer after probing at once: a message already on its way before the network went does not settle it', () => {
    const { clock, monitor, probes, deaths } = setup();
    monitor.opened();
    monitor.received();
    clock.advance(2000);
    monitor.probeNow();
    clock.advance(5);
    // In flight before the network went: it clears the first heartbeat only.
    monitor.received();
    clock.advance(1000);
    expect(probes).toEqual([2000, 3005]);
    clock.advance(4000);
    expect(deaths).toEqual([7005]);
  });

  it('goes back to the idle heartbeat once both heartbeats after a probe at once are answered', () => {
    const { clock, monitor, probes, deaths } = setup();
    monitor.opened();
    monitor.received();
    monitor.probeNow();
    clock.advance(10);
    monitor.received();
    clock.advance(1000);
    clock.advance(10);
    monitor.received();
    clock.advance(9_999);
    expect(probes).toEqual([0, 1010]);
    clock.advance(1);
    expect(probes).toEqual([0, 1010, 11_020]);
    expect(deaths).toEqual([]);
  });

  it('does nothing while closed, and starts counting afresh on the next connection', () => {
    const { clock, monitor, probes, deaths } = setup();
    monitor.opened();
    monitor.sent();
    monitor.closed();
    clock.advance(30_000);
    expect(probes).toEqual([]);
    expect(deaths).toEqual([]);
    monitor.opened();
    // Ack counts restart: an ack of 1 on the new connection answers the new connection's edit.
    monitor.sent();
    clock.advance(200);
    monitor.received();
    monitor.acknowledged(1);
    clock.advance(9_000);
    expect(deaths).toEqual([]);
  });

  it('does not count edits acknowledged by an ack larger than what was sent as answered in advance', () => {
    const { clock, monitor, deaths } = setup();
    monitor.opened();
    monitor.received();
    monitor.acknowledged(5);
    clock.advance(100);
    monitor.sent();
    clock.advance(4000);
    expect(deaths).toEqual([4100]);
  });

  it('waits for the first answer of a new connection (the server still loading the document) before an edit counts as a question', () => {
    const { clock, monitor, probes, deaths } = setup();
    monitor.opened();
    clock.advance(100);
    monitor.sent();
    clock.advance(9_899);
    expect(probes).toEqual([]);
    expect(deaths).toEqual([]);
    // Still silent: the idle heartbeat at 10 s, unanswered 4 s later.
    clock.advance(1);
    expect(probes).toEqual([10_000]);
    clock.advance(4_000);
    expect(deaths).toEqual([14_000]);
  });

  it('stops every timer on destroy', () => {
    const { clock, monitor, probes, deaths } = setup();
    monitor.opened();
    monitor.sent();
    monitor.destroy();
    clock.advance(60_000);
    expect(probes).toEqual([]);
    expect(deaths).toEqual([]);
  });
});
