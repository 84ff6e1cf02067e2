/**
 * Readiness for `GET /readyz`: the process can serve users only while it is started (not starting
 * or stopping) and every engine it depends on answers — the document store, and in a cluster the
 * pub/sub connection. A load balancer polls this, so each check runs under a short timeout, and
 * concurrent probes share one round of checks instead of each sending their own.
 */

export interface ReadinessCheck {
  readonly name: string;
  /** Resolves when the dependency can serve; rejects (or outlasts the timeout) when it cannot. */
  check(): Promise<void>;
}

export interface ReadinessReport {
  readonly isReady: boolean;
  /** 'ok', or why the check failed, by check name ('process' included). */
  readonly checks: Readonly<Record<string, string>>;
}

export interface ReadinessProbeOptions {
  /** False while starting or shutting down. */
  isStarted: () => boolean;
  checks: readonly ReadinessCheck[];
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 2_000;

export function createReadinessProbe(options: ReadinessProbeOptions): () => Promise<ReadinessReport> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let inFlight: Promise<ReadinessReport> | null = null;
  const probe = async (): Promise<ReadinessReport> => {
    const checks: Record<string, string> = { process: options.isStarted() ? 'ok' : 'starting or stopping' };
    const results = await Promise.all(options.checks.map((check) => runCheck(check, timeoutMs)));
    options.checks.forEach((check, i) => (checks[check.name] = results[i]!));
    return { isReady: Object.values(checks).every((result) => result === 'ok'), checks };
  };
  return () => {
    inFlight ??= probe().finally(() => (inFlight = null));
    return inFlight;
  };
}

async function runCheck(check: ReadinessCheck, timeoutMs: number): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${timeoutMs} ms`), timeoutMs);
  });
  const outcome = check.check().then(
    () => 'ok',
    (error: unknown) => (error instanceof Error ? error.message : String(error)) || 'failed',
  );
  try {
    return await Promise.race([outcome, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
