/**
 * Turns flags and environment into typed option values: `parseArgs` for the command line, then
 * for each option the flag if given, else its variable, else its default, converted by the kind in
 * the option table. A bad value fails naming where it came from (`--port` or `PORT`).
 */
import { parseArgs } from 'node:util';
import { ConfigError } from './config-error.js';
import { SERVE_OPTIONS, type OptionSpec } from './serve-options.js';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** One option's converted value, by flag name (a number, boolean or string, by its kind). */
export type ReadOption = (flag: string) => unknown;

/** Parses `tandem serve` flags (argv without the command); values are read and checked on demand. */
export function readServeOptions(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): ReadOption {
  let values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: Object.fromEntries(
        SERVE_OPTIONS.filter((o) => !o.envOnly).map((o) => [o.flag, { type: o.kind === 'bool' ? 'boolean' : 'string', multiple: o.repeatable === true }]),
      ),
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new ConfigError(error instanceof Error ? error.message : String(error));
  }
  return (flag: string): unknown => {
    const spec = SERVE_OPTIONS.find((o) => o.flag === flag)!;
    const fromFlag = values[flag];
    // A repeatable flag's values arrive as an array; String() joins them with commas (readList splits).
    const raw = fromFlag === undefined ? (env[spec.env] ?? spec.default) : String(fromFlag);
    const source = fromFlag === undefined ? spec.env : `--${flag}`;
    return convert(spec, raw, source);
  };
}

/** A string option, trimmed; null when empty. */
export function readOptional(read: ReadOption, flag: string): string | null {
  const value = (read(flag) as string).trim();
  return value === '' ? null : value;
}

/** A comma-separated option, items trimmed, empty items dropped; null when not set. */
export function readList(read: ReadOption, flag: string): string[] | null {
  const value = readOptional(read, flag);
  return value === null ? null : value.split(',').map((item) => item.trim()).filter((item) => item !== '');
}

function convert(spec: OptionSpec, raw: string, source: string): unknown {
  const fail = (expected: string): never => {
    throw new ConfigError(`invalid ${source}: ${JSON.stringify(raw)} is not ${expected}`);
  };
  switch (spec.kind) {
    case 'port': {
      const port = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
      return Number.isInteger(port) && port <= 65535 ? port : fail('a port number (0-65535)');
    }
    case 'int': {
      const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
      return Number.isSafeInteger(value) && value > 0 ? value : fail('a positive integer');
    }
    case 'bool':
      if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
      if (['0', 'false', 'no', 'off', ''].includes(raw)) return false;
      return fail('a boolean (true/false/1/0)');
    case 'level':
      return (LOG_LEVELS as readonly string[]).includes(raw) ? raw : fail(`one of ${LOG_LEVELS.join(', ')}`);
    case 'prefix':
      return raw === '' || /^(\/[A-Za-z0-9._-]+)+$/.test(raw) ? raw : fail("'' or a path like /collab");
    case 'string':
      return raw;
  }
}
