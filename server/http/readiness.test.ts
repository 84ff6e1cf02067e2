import { describe, expect, it } from 'vitest';
import { createReadinessProbe } from './readiness.js';

describe('createReadinessProbe', () => {
  it('is ready only when the process is started and every check resolves', async () => {
    let started = false;
    let storeDown = false;
    const probe = createReadinessProbe({
      isStarted: () => started,
      checks: [
        { name: 'store', check: () => (storeDown ? Promise.reject(new Error('connection refused')) : Promise.resolve()) },
        { name: 'pubsub', check: () => Promise.resolve() },
      ],
    });
    expect(await probe()).toEqual({ isReady: false, checks: { process: 'starting or stopping', store: 'ok', pubsub: 'ok' } });
    started = true;
    expect(await probe()).toEqual({ isReady: true, checks: { process: 'ok', store: 'ok', pubsub: 'ok' } });
    storeDown = true;
    expect(await probe()).toEqual({ isReady: false, checks: { process: 'ok', store: 'connection refused', pubsub: 'ok' } });
  });

  it('reports a check that never answers as not ready after the timeout', async () => {
    const probe = createReadinessProbe({
      isStarted: () => true,
      checks: [{ name: 'store', check: () => new Promise<void>(() => {}) }],
      timeoutMs: 50,
    });
    expect(await probe()).toEqual({ isReady: false, checks: { process: 'ok', store: 'no answer within 50 ms' } });
  });

  it('shares one round of checks between concurrent probes', async () => {
    let calls = 0;
    const probe = createReadinessProbe({
      isStarted: () => true,
      checks: [{ name: 'store', check: () => {
        calls++;
        return Promise.resolve();
      } }],
    });
    await Promise.all([probe(), probe(), probe()]);
    expect(calls).toBe(1);
    await probe();
    expect(calls).toBe(2);
  });
});
