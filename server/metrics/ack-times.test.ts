import { describe, expect, it } from 'vitest';
import { encodeSavedAck } from '../protocol/codec.js';
import { AckTimes } from './ack-times.js';

describe('AckTimes', () => {
  it('observes one latency per update covered by each ack, never the same update twice', () => {
    const observed: number[] = [];
    const sink = { savedAckLatency: (seconds: number) => observed.push(seconds) };
    const times = new AckTimes();
    for (let i = 0; i < 5; i++) times.arrived();
    times.acknowledged(encodeSavedAck(2), sink);
    expect(observed).toHaveLength(2);
    times.acknowledged(encodeSavedAck(2), sink);
    expect(observed).toHaveLength(2);
    times.acknowledged(encodeSavedAck(5), sink);
    expect(observed).toHaveLength(5);
    expect(observed.every((seconds) => seconds >= 0 && seconds < 1)).toBe(true);
  });

  it('ignores an ack counting more updates than it saw arrive', () => {
    const observed: number[] = [];
    const times = new AckTimes();
    times.arrived();
    times.acknowledged(encodeSavedAck(3), { savedAckLatency: (s) => observed.push(s) });
    expect(observed).toHaveLength(1);
    times.arrived();
    times.acknowledged(encodeSavedAck(4), { savedAckLatency: (s) => observed.push(s) });
    expect(observed).toHaveLength(2);
  });

  it('measures updates that arrive after all earlier ones were acknowledged, counting from the last ack', () => {
    const observed: number[] = [];
    const sink = { savedAckLatency: (seconds: number) => observed.push(seconds) };
    const times = new AckTimes();
    times.arrived();
    times.arrived();
    times.acknowledged(encodeSavedAck(2), sink);
    expect(observed).toHaveLength(2);
    for (let i = 0; i < 3; i++) times.arrived();
    // Covers the 3rd update only: the 4th and 5th are still waiting.
    times.acknowledged(encodeSavedAck(3), sink);
    expect(observed).toHaveLength(3);
    times.acknowledged(encodeSavedAck(5), sink);
    expect(observed).toHaveLength(5);
  });
});
