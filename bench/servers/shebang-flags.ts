/**
 * The `node` flags a script's first line asks for (`#!/usr/bin/env -S node --flag …`), so the
 * harness can start it with `node` directly (the PID it reads /proc for is the server's) and
 * still run it exactly as its users do.
 */
import { readFileSync } from 'node:fs';

export function nodeFlagsFromShebang(script: string): string[] {
  const firstLine = readFileSync(script, 'utf8').split('\n', 1)[0] ?? '';
  const match = /^#!\S*env\s+(?:-S\s+)?node((?:\s+--?\S+)*)\s*$/.exec(firstLine);
  return match?.[1]?.trim().split(/\s+/).filter(Boolean) ?? [];
}
