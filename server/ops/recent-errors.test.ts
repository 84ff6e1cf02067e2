/**
 * The recent-errors ring behind a real pino logger: every line still reaches the destination,
 * only warn and above are kept, the ring keeps the newest `capacity`, and an error object is
 * reduced to its message (no stack).
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../logger.js';
import { RecentErrors } from './recent-errors.js';

// Asymmetric matchers are `any` to TypeScript; held as unknown they type-check as values.
const anyString: unknown = expect.any(String);

function capture(): { sink: Writable; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter((line) => line !== ''));
      done();
    },
  });
  return { sink, lines };
}

describe('RecentErrors', () => {
  it('keeps only the newest `capacity` warn/error lines, newest first, while every line reaches the destination', () => {
    const recent = new RecentErrors(5);
    const { sink, lines } = capture();
    const logger = createLogger('debug', sink, recent);
    for (let i = 0; i < 12; i++) {
      logger.info({ i }, `info ${i}`);
      logger.warn({ doc: 'plan', connId: `c${i}`, code: 1007, reason: 'malformed-message' }, `warn ${i}`);
    }
    logger.child({ reqId: 'r-1' }).error({ err: new Error('disk on fire') }, 'store write failed');

    expect(lines).toHaveLength(25);
    const entries = recent.entries();
    expect(entries.map((entry) => entry.msg)).toEqual(['store write failed', 'warn 11', 'warn 10', 'warn 9', 'warn 8']);
    expect(entries[0]).toEqual({ time: anyString, level: 'error', msg: 'store write failed', reqId: 'r-1', error: 'disk on fire' });
    expect(entries[1]).toEqual({ time: anyString, level: 'warn', msg: 'warn 11', doc: 'plan', connId: 'c11', code: 1007, reason: 'malformed-message' });
    expect(Date.parse(entries[0]!.time)).toBeGreaterThan(Date.now() - 60_000);
    expect(JSON.stringify(entries)).not.toContain('at ');
  });

  it('holds 100 entries by default: 150 warnings leave the newest 100', () => {
    const recent = new RecentErrors();
    const logger = createLogger('info', capture().sink, recent);
    for (let i = 0; i < 150; i++) logger.warn(`warn ${i}`);
    const entries = recent.entries();
    expect(entries).toHaveLength(100);
    expect(entries[0]!.msg).toBe('warn 149');
    expect(entries.at(-1)!.msg).toBe('warn 50');
  });

  it('cuts long messages so the ring stays bounded', () => {
    const recent = new RecentErrors(2);
    const logger = createLogger('info', capture().sink, recent);
    logger.warn('x'.repeat(10_000));
    expect(recent.entries()[0]!.msg.length).toBeLessThanOrEqual(501);
  });
});
