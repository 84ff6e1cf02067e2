/**
 * `tandem repair --data-dir <folder>`: a repaired copy of a data folder the server refused.
 * The folder is copied, LevelDB's own RepairDB (ClassicLevel.repair) runs on the copy, and the
 * copy is checked as start-up would check it. The original folder is never changed: the
 * operator decides whether to swap the copy in (the server never repairs anything by itself).
 */
import { access, cp } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Level } from 'level';
import { ConfigError } from '../config.js';
import { checkLeveldbFolder, describeError } from './leveldb-folder-check.js';
import { createLeveldbStore } from './leveldb-store.js';

// `level` on Node is classic-level's ClassicLevel, whose static repair() runs LevelDB's RepairDB;
// level's type declarations (shared with the browser build) leave it out.
const LevelWithRepair = Level as unknown as { repair(location: string): Promise<void> };

export const REPAIR_USAGE = `Usage: tandem repair --data-dir <folder> [--output <folder>]

Stop the server first. Copies the data folder to --output (default: <folder>.repaired-<time>),
runs LevelDB's repair on the copy and checks it as start-up would. The original folder is not
changed. Repair keeps what LevelDB can still read; a damaged stretch of a log or table is lost,
so prefer restoring a backup when you have one. To use the copy: move the original folder aside,
move the copy in its place, start the server.
`;

export async function runRepairCommand(argv: readonly string[], now: Date = new Date()): Promise<string> {
  let values: { 'data-dir'?: string; output?: string };
  try {
    values = parseArgs({ args: [...argv], options: { 'data-dir': { type: 'string' }, output: { type: 'string' } }, strict: true }).values;
  } catch (error) {
    throw new ConfigError(error instanceof Error ? error.message : String(error));
  }
  const source = values['data-dir'];
  if (source === undefined || source === '') throw new ConfigError('--data-dir is required');
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
  const target = values.output ?? `${path.resolve(source)}.repaired-${stamp}`;
  if (await exists(target)) throw new ConfigError(`${target} already exists; choose another --output`);
  if (!(await exists(source))) throw new ConfigError(`${source} does not exist`);
  // A real copy, not links: RepairDB rewrites what it finds, and the original must stay as it was.
  await cp(source, target, { recursive: true, errorOnExist: true, force: false, filter: (file) => path.basename(file) !== 'LOCK' });
  try {
    await LevelWithRepair.repair(target);
  } catch (error) {
    throw new Error(`LevelDB could not repair the copy in ${target}: ${describeError(error)}`, { cause: error });
  }
  await checkLeveldbFolder(target);
  const store = await createLeveldbStore({ directory: target, fsync: false });
  const documents = (await store.list()).length;
  await store.close();
  return [
    `Repaired copy written to ${target} (${documents} document${documents === 1 ? '' : 's'} listed); ${source} was not changed.`,
    `To use it: stop the server, move ${source} aside, move ${target} to ${source}, start the server.`,
  ].join('\n');
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}
