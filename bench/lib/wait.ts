/** Deadlines for the harness: every wait is bounded and fails (or reports) when it runs out. */

export class DeadlineError extends Error {
  readonly code = 'BENCH_DEADLINE';
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `condition` every `intervalMs` until it holds; throws DeadlineError after `timeoutMs`. */
export async function waitFor(
  condition: () => boolean,
  options: { timeoutMs: number; intervalMs?: number; message: string },
): Promise<number> {
  const start = performance.now();
  const interval = options.intervalMs ?? 5;
  while (!condition()) {
    if (performance.now() - start > options.timeoutMs) {
      throw new DeadlineError(`timed out after ${options.timeoutMs} ms: ${options.message}`);
    }
    await sleep(interval);
  }
  return performance.now() - start;
}

/** Like waitFor, but reports whether the condition held instead of throwing. */
export async function waitUntil(
  condition: () => boolean,
  options: { timeoutMs: number; intervalMs?: number },
): Promise<boolean> {
  try {
    await waitFor(condition, { ...options, message: '' });
    return true;
  } catch (error) {
    if (error instanceof DeadlineError) return false;
    throw error;
  }
}

/** Yields to the event loop so timers and socket reads run between chunks of client work. */
export function yieldToLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
