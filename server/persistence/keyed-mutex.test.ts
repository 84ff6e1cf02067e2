import { describe, expect, it } from 'vitest';
import { KeyedMutex } from './keyed-mutex.js';

describe('KeyedMutex', () => {
  it('runs sections for one key one at a time, in arrival order, and forgets idle keys', async () => {
    const mutex = new KeyedMutex();
    const trace: string[] = [];
    const section = (label: string) => async () => {
      trace.push(`${label} start`);
      await new Promise((resolve) => setImmediate(resolve));
      trace.push(`${label} end`);
      return label;
    };
    const results = await Promise.all([mutex.run('doc', section('a')), mutex.run('doc', section('b')), mutex.run('doc', section('c'))]);
    expect(results).toEqual(['a', 'b', 'c']);
    expect(trace).toEqual(['a start', 'a end', 'b start', 'b end', 'c start', 'c end']);
    expect(mutex.size).toBe(0);
  });

  it('lets different keys overlap, and a failed section does not block the next', async () => {
    const mutex = new KeyedMutex();
    let release!: () => void;
    const held = mutex.run('one', () => new Promise<void>((resolve) => (release = resolve)));
    await expect(mutex.run('two', () => Promise.resolve('other key ran'))).resolves.toBe('other key ran');
    const failing = mutex.run('one', () => Promise.reject(new Error('boom')));
    const after = mutex.run('one', () => Promise.resolve('after'));
    release();
    await held;
    await expect(failing).rejects.toThrow('boom');
    await expect(after).resolves.toBe('after');
    expect(mutex.size).toBe(0);
  });
});
