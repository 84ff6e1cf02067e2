/**
 * Parent side of a client role run in a child process of its own (so that the main client
 * process's work cannot delay what it measures): fork it, send it commands over IPC and wait for
 * its reports, every wait bounded. The child is killed by its PID if it hangs.
 */
import { fork, type ChildProcess } from 'node:child_process';

/** Every report a role sends: its own kinds, plus ready and error. */
export type RoleReport = { type: 'ready' } | { type: 'error'; message: string } | { type: string };

export interface ChildRole<Command, Report extends RoleReport> {
  send(command: Command): void;
  /** The next report; rejects on timeout, on exit, or when the child reports an error. */
  next(timeoutMs: number, what: string): Promise<Report>;
  /** After the final report: the child exits on its own, this only catches one that hangs. */
  killLater(): void;
  kill(): void;
}

export async function forkRole<Command, Report extends RoleReport>(
  script: string,
  options: unknown,
  name: string,
): Promise<ChildRole<Command, Report>> {
  const child: ChildProcess = fork(script, [JSON.stringify(options)], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, NODE_OPTIONS: '' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const kill = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  let sendError: Error | null = null;
  const exitMessage = (what: string): string =>
    `${name} child exited (${child.exitCode ?? child.signalCode}) before ${what}${sendError ? `; a command could not be sent: ${sendError.message}` : ''}`;
  const next = (timeoutMs: number, what: string): Promise<Report> =>
    new Promise((resolve, reject) => {
      // Already gone: 'exit' will not fire again.
      if (child.exitCode !== null || child.signalCode !== null) {
        reject(new Error(exitMessage(what)));
        return;
      }
      const timer = setTimeout(() => finish(new Error(`${name} child: no ${what} within ${timeoutMs} ms`)), timeoutMs);
      const onMessage = (report: Report): void => finish(null, report);
      const onExit = (): void => finish(new Error(exitMessage(what)));
      function finish(error: Error | null, report?: Report): void {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
        if (error) reject(error);
        else if (report?.type === 'error') reject(new Error(`${name} child: ${(report as { message: string }).message}`));
        else resolve(report!);
      }
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  try {
    await next(30_000, 'ready');
  } catch (error) {
    kill();
    throw error;
  }
  return {
    // A command to a child that is gone fails here, not as an unhandled 'error' event; the
    // pending next() then rejects, naming the cause.
    send: (command) =>
      child.send(command as object, (error: Error | null) => {
        if (!error) return;
        sendError = error;
        kill();
      }),
    next,
    killLater: () => setTimeout(kill, 2_000).unref(),
    kill,
  };
}

/** Epoch milliseconds with sub-millisecond precision, comparable between processes. */
export function epochNow(): number {
  return performance.timeOrigin + performance.now();
}

/** Child side: report to the parent. */
export function reportToParent(report: RoleReport): void {
  process.send?.(report);
}

/** Child side: run `main`, turning a failure into an error report, and leave once done. */
export function runRole<Options>(main: (options: Options) => Promise<void>): void {
  const options = JSON.parse(process.argv[2] ?? '{}') as Options;
  // Parent gone: nothing left to report to.
  process.on('disconnect', () => process.exit(0));
  main(options).catch((error: unknown) => {
    reportToParent({ type: 'error', message: error instanceof Error ? error.message : String(error) });
    process.exitCode = 1;
    process.disconnect();
  });
}
