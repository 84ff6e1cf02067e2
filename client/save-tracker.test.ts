import { describe, expect, it } from 'vitest';
import * as encoding from 'lib0/encoding';
import { SaveTracker } from './save-tracker.js';
import { classifyOutgoingFrame } from './counting-web-socket.js';

function frame(...varuints: number[]): Uint8Array {
  const encoder = encoding.createEncoder();
  for (const value of varuints) encoding.writeVarUint(encoder, value);
  encoding.writeVarUint8Array(encoder, new Uint8Array([0, 0]));
  return encoding.toUint8Array(encoder);
}

describe('SaveTracker', () => {
  function onlineTracker(): SaveTracker {
    const tracker = new SaveTracker();
    tracker.connected();
    tracker.sent('step2');
    tracker.synced(true);
    tracker.acknowledged(1);
    return tracker;
  }

  it('is saved only once the message carrying a change is acknowledged', () => {
    const tracker = onlineTracker();
    expect(tracker.state).toBe('saved');
    tracker.sent('update');
    tracker.localChange(true);
    tracker.sent('update');
    tracker.localChange(true);
    expect(tracker.state).toBe('unsaved');
    tracker.acknowledged(2);
    expect(tracker.state).toBe('unsaved');
    tracker.acknowledged(3);
    expect(tracker.state).toBe('saved');
  });

  it('ignores a stale, smaller acknowledgement', () => {
    const tracker = onlineTracker();
    tracker.sent('update');
    tracker.localChange(true);
    tracker.acknowledged(2);
    tracker.acknowledged(1);
    expect(tracker.counts).toEqual({ sent: 2, acked: 2 });
    expect(tracker.state).toBe('saved');
  });

  it('keeps offline changes unsaved until the next connection’s step 2 is acknowledged', () => {
    const tracker = onlineTracker();
    tracker.disconnected();
    tracker.localChange(false);
    expect(tracker.state).toBe('unsaved');
    tracker.connected();
    // The count restarts: 0 >= 0 must not count as saved before step 2 went out.
    tracker.synced(true);
    tracker.acknowledged(0);
    expect(tracker.state).toBe('unsaved');
    tracker.sent('step2');
    tracker.acknowledged(1);
    expect(tracker.state).toBe('saved');
  });

  it('does not trust an acknowledgement for older messages after a change that was never sent', () => {
    // Root cause guarded: the socket was closing, the provider skipped the send, and an ack for
    // earlier frames arrived afterwards.
    const tracker = onlineTracker();
    tracker.sent('update');
    tracker.localChange(false);
    tracker.acknowledged(2);
    expect(tracker.state).toBe('unsaved');
  });

  it('does not declare a change saved on a new connection before its step 2 is acknowledged', () => {
    // Root cause guarded: a frame sent just before the connection dropped is lost with it; only
    // the next connection's step 2 carries it again.
    const tracker = onlineTracker();
    tracker.sent('update');
    tracker.localChange(true);
    tracker.disconnected();
    tracker.connected();
    tracker.synced(true);
    tracker.acknowledged(0);
    expect(tracker.state).toBe('unsaved');
    tracker.sent('step2');
    tracker.acknowledged(1);
    expect(tracker.state).toBe('saved');
  });

  it('waits for the sync to finish before declaring a change saved', () => {
    const tracker = new SaveTracker();
    tracker.localChange(false);
    tracker.connected();
    tracker.sent('step2');
    tracker.acknowledged(1);
    expect(tracker.state).toBe('unsaved');
    tracker.synced(true);
    expect(tracker.state).toBe('saved');
  });

  it('notifies listeners on every transition', () => {
    const tracker = onlineTracker();
    const seen: string[] = [];
    tracker.onChange((state) => seen.push(state));
    tracker.sent('update');
    tracker.localChange(true);
    tracker.localChange(true);
    tracker.acknowledged(2);
    expect(seen).toEqual(['unsaved', 'saved']);
  });
});

describe('classifyOutgoingFrame', () => {
  it('decodes message types as varuints', () => {
    expect(classifyOutgoingFrame(frame(0, 1))).toBe('step2');
    expect(classifyOutgoingFrame(frame(0, 2))).toBe('update');
    expect(classifyOutgoingFrame(frame(0, 0))).toBeNull();
    expect(classifyOutgoingFrame(frame(1))).toBeNull();
    // Overlong encoding of 0 (sync) followed by 2 (update): still an update.
    expect(classifyOutgoingFrame(new Uint8Array([0x80, 0x00, 0x02, 0x02, 0, 0]))).toBe('update');
    expect(classifyOutgoingFrame(frame(0, 2).buffer)).toBe('update');
    expect(classifyOutgoingFrame('text')).toBeNull();
    expect(classifyOutgoingFrame(new Uint8Array([]))).toBeNull();
  });
});
