/**
 * Peer launchers written in TypeScript (bench/peers/*.ts) are transpiled once to plain JS under
 * node_modules/.cache, so those servers run on bare `node` like the others (no TypeScript loader
 * thread inflating their memory or CPU). Inside the repository, so the compiled file resolves
 * packages from node_modules.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

/** Transpiles bench/peers/<name>.ts; returns the path of the runnable .mjs. */
export function transpilePeer(name: string): string {
  const source = path.join(ROOT, 'bench', 'peers', `${name}.ts`);
  const compiled = path.join(ROOT, 'node_modules', '.cache', 'tandem-bench', `${name}.mjs`);
  const output = ts.transpileModule(readFileSync(source, 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  });
  mkdirSync(path.dirname(compiled), { recursive: true });
  writeFileSync(compiled, output.outputText);
  return compiled;
}
