/**
 * The last warnings and errors this process logged, for the admin overview. Every pino line
 * passes through `teeRecentErrors` on its way to the real destination; pino tells the tee each
 * line's level (the `pino.metadata` symbol), so a line below warn costs one comparison, and only
 * warn, error and fatal lines are parsed and kept. The buffer is a fixed ring of `capacity`
 * entries, each reduced to a few short fields (an error object to its message, never a stack), so
 * a flood of warnings costs bounded memory and the overview shows the newest.
 *
 * What it holds is what the log level lets through: with `--log-level error`, no warnings.
 */
import { symbols, type DestinationStream } from 'pino';
import type { RecentError } from '../../shared/admin-overview.js';

export const DEFAULT_RECENT_ERRORS = 100;
const WARN_LEVEL = 40;
const LEVEL_NAMES: Record<number, RecentError['level']> = { 40: 'warn', 50: 'error', 60: 'fatal' };
/** Longest message, error message and code kept; longer ones are cut. */
const MAX_TEXT = 500;

export class RecentErrors {
  readonly capacity: number;
  readonly #ring: RecentError[] = [];
  /** Where the next entry goes once the ring is full. */
  #next = 0;

  constructor(capacity = DEFAULT_RECENT_ERRORS) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`capacity must be a positive integer, not ${capacity}`);
    this.capacity = capacity;
  }

  /** Keeps one pino JSON line (at warn or above: the tee filters). */
  record(line: string): void {
    const entry = reduceLine(line);
    if (this.#ring.length < this.capacity) {
      this.#ring.push(entry);
      return;
    }
    this.#ring[this.#next] = entry;
    this.#next = (this.#next + 1) % this.capacity;
  }

  /** Newest first. */
  entries(): RecentError[] {
    const oldestFirst = [...this.#ring.slice(this.#next), ...this.#ring.slice(0, this.#next)];
    return oldestFirst.reverse();
  }
}

/** A destination that writes every line to `destination` and hands warn and above to `recent`. */
export function teeRecentErrors(destination: DestinationStream, recent: RecentErrors): DestinationStream {
  const flushable = destination as DestinationStream & { flush?: (callback: (error?: Error) => void) => void };
  const tee = {
    // pino sets lastLevel (and lastObj, lastMsg …) on a stream carrying this symbol before each write.
    [symbols.needsMetadataGsym]: true as const,
    lastLevel: 0,
    write(line: string): void {
      destination.write(line);
      if (tee.lastLevel >= WARN_LEVEL) recent.record(line);
    },
    ...(typeof flushable.flush === 'function' ? { flush: (callback: (error?: Error) => void) => flushable.flush?.(callback) } : {}),
  };
  return tee;
}

function reduceLine(line: string): RecentError {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch (error) {
    // pino writes one JSON object per line; anything else is worth showing, not dropping.
    return { time: new Date().toISOString(), level: 'error', msg: `unreadable log line (${cut(String(error))})` };
  }
  const level = LEVEL_NAMES[typeof record.level === 'number' ? record.level : 0] ?? 'warn';
  const entry: RecentError = {
    time: typeof record.time === 'number' ? new Date(record.time).toISOString() : new Date().toISOString(),
    level,
    msg: cut(typeof record.msg === 'string' ? record.msg : ''),
  };
  if (typeof record.doc === 'string') entry.doc = cut(record.doc);
  if (typeof record.connId === 'string') entry.connId = cut(record.connId);
  if (typeof record.reqId === 'string') entry.reqId = cut(record.reqId);
  if (typeof record.code === 'number') entry.code = record.code;
  else if (typeof record.code === 'string') entry.code = cut(record.code);
  if (typeof record.reason === 'string') entry.reason = cut(record.reason);
  const err = record.err as { message?: unknown } | undefined;
  if (err && typeof err.message === 'string') entry.error = cut(err.message);
  return entry;
}

function cut(text: string): string {
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text;
}
