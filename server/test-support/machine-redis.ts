/**
 * The machine's Redis for integration tests: REDIS_URL when set, else 127.0.0.1:6379 (CI starts
 * it, see .ci/run). Tests share it, so each one works under a key prefix of its own and never
 * runs commands that reach other clients (CLIENT KILL, CONFIG SET, FLUSHALL): those belong on a
 * private Redis (private-redis.ts).
 */
import { randomBytes } from 'node:crypto';

export function machineRedisUrl(): string {
  return process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
}

/** `tandem-test:<label>:<random>:`, a valid pub/sub key prefix no other test uses. */
export function testKeyPrefix(label: string): string {
  return `tandem-test:${label}:${randomBytes(6).toString('hex')}:`;
}

/** Wraps a failed connection to the machine's Redis with what to do about it. */
export function explainMissingRedis(error: unknown): Error {
  return new Error(`the machine's Redis at ${machineRedisUrl().replace(/\/\/[^@]*@/, '//')} is needed by this test: start it (see .ci/run) or set REDIS_URL`, {
    cause: error,
  });
}
