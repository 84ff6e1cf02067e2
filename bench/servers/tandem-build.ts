/**
 * Where the Tandem CLI under test comes from. By default the working tree's dist/ (rebuilt with
 * `npm run build:server` when missing or older than a server source). With a git ref, that
 * commit is exported with `git archive` into node_modules/.cache and compiled there, so a run can
 * measure a committed state while the working tree is mid-edit.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..', '..');

function newestSourceMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSourceMtime(full));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) {
      newest = Math.max(newest, statSync(full).mtimeMs);
    }
  }
  return newest;
}

function run(command: string, args: string[], cwd: string): string {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status}):\n${result.stdout}${result.stderr}`);
  }
  return result.stdout;
}

function buildWorkingTree(log: (line: string) => void): string {
  const cli = path.join(ROOT, 'dist', 'server', 'cli.js');
  const sources = Math.max(newestSourceMtime(path.join(ROOT, 'server')), newestSourceMtime(path.join(ROOT, 'shared')));
  if (existsSync(cli) && statSync(cli).mtimeMs >= sources) return cli;
  log('building the Tandem server (npm run build:server)…');
  run('npm', ['run', 'build:server'], ROOT);
  return cli;
}

function buildRef(ref: string, log: (line: string) => void): string {
  const sha = run('git', ['rev-parse', '--verify', `${ref}^{commit}`], ROOT).trim();
  const dir = path.join(ROOT, 'node_modules', '.cache', 'tandem-bench', `tandem-${sha.slice(0, 12)}`);
  const cli = path.join(dir, 'dist', 'server', 'cli.js');
  if (existsSync(cli)) return cli;
  log(`building Tandem at ${ref} (${sha.slice(0, 12)}) in ${path.relative(ROOT, dir)}…`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const files = ['server', 'shared', 'package.json', 'tsconfig.json', 'tsconfig.build.json'];
  const archive = spawnSync('git', ['archive', '--format=tar', sha, ...files], { cwd: ROOT, maxBuffer: 256 * 2 ** 20 });
  if (archive.status !== 0) throw new Error(`git archive ${sha} failed: ${archive.stderr.toString()}`);
  const untar = spawnSync('tar', ['-x', '-C', dir], { input: archive.stdout });
  if (untar.status !== 0) throw new Error(`tar failed: ${untar.stderr.toString()}`);
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  run(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], dir);
  return cli;
}

/** Builds (if needed) and returns the path of the Tandem CLI to run. */
export function prepareTandemCli(ref: string | undefined, log: (line: string) => void): string {
  return ref ? buildRef(ref, log) : buildWorkingTree(log);
}

/** The commit a run measures, for the results: the ref's SHA, or HEAD plus whether server/ or shared/ had uncommitted changes. */
export function describeTandemCommit(ref: string | undefined): string {
  const sha = run('git', ['rev-parse', '--verify', `${ref ?? 'HEAD'}^{commit}`], ROOT).trim();
  if (ref) return sha;
  const dirty = run('git', ['status', '--porcelain', '--', 'server', 'shared'], ROOT).trim() !== '';
  return dirty ? `${sha} + uncommitted changes` : sha;
}
