/**
 * Server cost from /proc: CPU seconds (utime + stime of /proc/<pid>/stat) and resident memory
 * (VmRSS of /proc/<pid>/status). Linux only; every figure is for the server's own PID.
 */
import { readFileSync } from 'node:fs';
import { sleep } from './wait.js';

/** Clock ticks per second; 100 on every mainstream Linux (`getconf CLK_TCK`). */
const CLOCK_TICKS = 100;

export interface ProcSample {
  cpuSeconds: number;
  rssBytes: number;
  at: number;
}

export function readCpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may contain spaces; the fields after its closing paren are fixed.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return (utime + stime) / CLOCK_TICKS;
}

export function readRssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!match?.[1]) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]) * 1024;
}

/**
 * Bytes the process has passed to write(2)-family calls (`wchar` of /proc/<pid>/io): socket
 * writes, and the store's file writes too (small next to a busy document's fan-out).
 */
export function readWrittenBytes(pid: number): number {
  const io = readFileSync(`/proc/${pid}/io`, 'utf8');
  const match = /^wchar:\s+(\d+)/m.exec(io);
  if (!match?.[1]) throw new Error(`no wchar for pid ${pid}`);
  return Number(match[1]);
}

/**
 * write(2)-family calls the process has made (`syscw` of /proc/<pid>/io), all threads: one per
 * socket write (a frame, or frames written together) and the store's file writes.
 */
export function readWriteCalls(pid: number): number {
  const io = readFileSync(`/proc/${pid}/io`, 'utf8');
  const match = /^syscw:\s+(\d+)/m.exec(io);
  if (!match?.[1]) throw new Error(`no syscw for pid ${pid}`);
  return Number(match[1]);
}

export function sampleProc(pid: number): ProcSample {
  return { cpuSeconds: readCpuSeconds(pid), rssBytes: readRssBytes(pid), at: performance.now() };
}

/**
 * Waits until the process has used less than `maxCpuFraction` of a core over `windowMs`, after
 * at least `minWaitMs` (so a debounced store that fires later is still counted), or `timeoutMs`.
 */
export async function waitForIdle(
  pid: number,
  options: { minWaitMs?: number; windowMs?: number; maxCpuFraction?: number; timeoutMs?: number } = {},
): Promise<{ idle: boolean; waitedMs: number }> {
  const { minWaitMs = 0, windowMs = 1_000, maxCpuFraction = 0.05, timeoutMs = 30_000 } = options;
  const start = performance.now();
  if (minWaitMs > 0) await sleep(minWaitMs);
  let previous = readCpuSeconds(pid);
  while (performance.now() - start < timeoutMs) {
    await sleep(windowMs);
    const current = readCpuSeconds(pid);
    if (current - previous <= (maxCpuFraction * windowMs) / 1000) {
      return { idle: true, waitedMs: performance.now() - start };
    }
    previous = current;
  }
  return { idle: false, waitedMs: performance.now() - start };
}

export interface PeakRssTracker {
  /** Highest RSS seen so far, in bytes (reads once more now). */
  peak(): number;
  stop(): void;
}

/** Samples a process's RSS every `intervalMs`; a process that has exited just stops counting. */
export function trackPeakRss(pid: number, intervalMs: number): PeakRssTracker {
  let peak = 0;
  const sample = (): void => {
    try {
      peak = Math.max(peak, readRssBytes(pid));
    } catch {
      // Gone: the scenario reports that on its own.
    }
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  timer.unref();
  return {
    peak() {
      sample();
      return peak;
    },
    stop() {
      clearInterval(timer);
    },
  };
}
