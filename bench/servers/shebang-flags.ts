/**
 * The `node` flags a script's first line asks for (`#!/usr/bin/env -S node --flag …`), so the
 * harness can start it with `node` directly (the PID it reads /proc for is the server's) and
 * still run it exactly as its users do.
 *
 * The peers run with the same flags as Tandem's CLI (fairness: the semi-space cap alone moved
 * idle memory per connection by a third), read from the CLI the run measures once it is built,
 * else from the working tree's server/cli.ts.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

const SOURCE_CLI = path.resolve(import.meta.dirname, '..', '..', 'server', 'cli.ts');

export function nodeFlagsFromShebang(script: string): string[] {
  const firstLine = readFileSync(script, 'utf8').split('\n', 1)[0] ?? '';
  const match = /^#!\S*env\s+(?:-S\s+)?node((?:\s+--?\S+)*)\s*$/.exec(firstLine);
  return match?.[1]?.trim().split(/\s+/).filter(Boolean) ?? [];
}

/** The node flags Tandem's CLI names; every server of a run starts with them. */
export class SharedNodeFlags {
  #flags: string[] | null = null;

  /** Tandem's launcher, once its CLI is built: the flags of the CLI under test. */
  setFrom(cli: string): string[] {
    this.#flags = nodeFlagsFromShebang(cli);
    return this.#flags;
  }

  get flags(): string[] {
    return (this.#flags ??= nodeFlagsFromShebang(SOURCE_CLI));
  }
}
