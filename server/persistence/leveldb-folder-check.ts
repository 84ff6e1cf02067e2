/**
 * Start-up check of a LevelDB data folder: folder in, "fresh" / "existing" out, or a
 * StoreFolderError naming the folder and what is wrong. Nothing in the folder is changed.
 *
 * LevelDB opens a damaged folder without complaint (classic-level gives no access to
 * paranoid_checks): a garbled write-ahead log is skipped past with a line in its info log, a
 * truncated MANIFEST makes it delete the table files it no longer knows about, and a missing
 * CURRENT makes it create an empty database over the old files. So: a non-empty folder without
 * CURRENT is refused; the MANIFEST's last record must be complete; and LevelDB first opens a
 * hard-linked copy of the folder (links, not data: cheap) in a scratch folder next to it, which
 * must open and whose info log (`LOG`) must report no corruption or dropped bytes. LevelDB never
 * writes into an existing file of a folder it opens (logs, MANIFEST, CURRENT and LOG are
 * replaced by new files and renames), so the dry run leaves the original files untouched.
 *
 * Tables the dry run deletes are not counted as damage: a stop during a memtable flush leaves
 * a table the MANIFEST never listed (its data is still in the log), and every open deletes it.
 *
 * A log whose tail was cut mid-record (kill -9 during a write) reads as a clean end of file
 * to LevelDB and reports nothing: such a folder is accepted, as it must be.
 */
import { copyFile, link, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Level } from 'level';

export class StoreFolderError extends Error {
  readonly code = 'STORE_FOLDER_DAMAGED';
  readonly directory: string;

  constructor(directory: string, problem: string, options?: { cause?: unknown }) {
    super(
      `refusing to open the data folder ${directory}: ${problem}. The server never repairs or replaces a store by itself: ` +
        `restore the folder from a backup, or run "tandem repair --data-dir ${directory}" to build a repaired copy ` +
        `(see README, Storage)`,
      options,
    );
    this.name = 'StoreFolderError';
    this.directory = directory;
  }
}

/** Files LevelDB may leave in a folder before any data exists in it. */
const SCRATCH_FILES = new Set(['LOCK', 'LOG', 'LOG.old']);
/** Prefix of the scratch copy when it has to live inside the data folder (LevelDB ignores it). */
const CHECK_PREFIX = '.open-check-';

export async function checkLeveldbFolder(directory: string): Promise<{ fresh: boolean }> {
  let names: string[];
  try {
    names = (await readdir(directory)).filter((name) => !name.startsWith(CHECK_PREFIX));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { fresh: true };
    throw error;
  }
  if (names.every((name) => SCRATCH_FILES.has(name))) return { fresh: true };
  if (!names.includes('CURRENT')) {
    throw new StoreFolderError(
      directory,
      'it is not empty but has no CURRENT file (deleted, or this is not a LevelDB folder); opening it would start an empty database over the files in it',
    );
  }
  const truncated = await findTruncatedManifest(directory);
  if (truncated) throw new StoreFolderError(directory, truncated);
  const copy = await linkedCopy(directory, names);
  try {
    const problem = await dryRunOpen(copy);
    if (problem) throw new StoreFolderError(directory, problem);
  } finally {
    await rm(copy, { recursive: true, force: true });
  }
  return { fresh: false };
}

/** Lines of a LevelDB info log that report corruption or data skipped during recovery. */
export function findCorruptionReports(infoLog: string): string[] {
  return infoLog.split('\n').filter((line) => /dropping \d+ bytes|corruption/i.test(line));
}

/** Opens and closes LevelDB on the copy; returns what is wrong, or null. */
async function dryRunOpen(copy: string): Promise<string | null> {
  const db = new Level(copy, { createIfMissing: false });
  try {
    await db.open();
    await db.close();
  } catch (error) {
    return `LevelDB cannot open it (${describeError(error)})`;
  }
  const reports = findCorruptionReports(await readFile(path.join(copy, 'LOG'), 'utf8'));
  if (reports.length === 0) return null;
  const what = reports.map((line) => line.replace(/^\S+ \S+ (\(ignoring error\) )?/, '').replaceAll(`${copy}${path.sep}`, ''));
  return `LevelDB's recovery would skip damaged data (${what.join('; ')})`;
}

/**
 * The MANIFEST that CURRENT names, if its last record is incomplete. LevelDB reads a torn tail
 * as a clean end, recovers the older version it describes and deletes the table files the lost
 * records listed. LevelDB writes each MANIFEST record in one go and syncs it, so a torn tail is
 * damage (a truncated copy, a failed disk), not a crash. A missing or garbled MANIFEST is left
 * to the dry run, where LevelDB fails to open it.
 */
async function findTruncatedManifest(directory: string): Promise<string | null> {
  const name = (await readFile(path.join(directory, 'CURRENT'), 'utf8')).trim();
  if (!/^MANIFEST-\d+$/.test(name)) return null;
  let bytes: Buffer;
  try {
    bytes = await readFile(path.join(directory, name));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const torn = findTornRecord(bytes);
  return torn === null
    ? null
    : `its MANIFEST (${name}) is truncated: ${torn}; LevelDB would take that for a clean end and delete the table files the lost records listed`;
}

// LevelDB's log format (db/log_format.h), used by the MANIFEST and the write-ahead log.
const BLOCK_BYTES = 32_768;
const HEADER_BYTES = 7;
const RecordType = { full: 1, first: 2, middle: 3, last: 4 } as const;

/** Walks the physical records; says how the last one is incomplete, or returns null. */
export function findTornRecord(bytes: Uint8Array): string | null {
  let offset = 0;
  let inFragmentedRecord = false;
  while (offset < bytes.length) {
    const leftInBlock = BLOCK_BYTES - (offset % BLOCK_BYTES);
    if (leftInBlock < HEADER_BYTES) {
      offset += leftInBlock; // block trailer (zeros)
      continue;
    }
    if (bytes.length - offset < HEADER_BYTES) return `it ends inside a record header at byte ${offset}`;
    const length = bytes[offset + 4]! | (bytes[offset + 5]! << 8);
    const type = bytes[offset + 6]!;
    const available = bytes.length - offset - HEADER_BYTES;
    if (length > available) return `its last record, at byte ${offset}, has ${available} of its ${length} bytes`;
    if (type === RecordType.first) inFragmentedRecord = true;
    else if (type === RecordType.full || type === RecordType.last) inFragmentedRecord = false;
    offset += HEADER_BYTES + length;
  }
  return inFragmentedRecord ? 'its last record lacks its final fragment' : null;
}

/**
 * A scratch folder holding hard links to the folder's files (LOCK excepted), next to it so that
 * linking works; inside it (LevelDB ignores sub-folders) when the parent is not writable.
 */
async function linkedCopy(directory: string, names: string[]): Promise<string> {
  let copy: string;
  try {
    copy = await mkdtemp(path.join(path.dirname(directory), `.${path.basename(directory)}${CHECK_PREFIX}`));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EACCES' && code !== 'EROFS' && code !== 'EPERM') throw error;
    copy = await mkdtemp(path.join(directory, CHECK_PREFIX));
  }
  for (const name of names) {
    if (name === 'LOCK') continue;
    const source = path.join(directory, name);
    if (!(await stat(source)).isFile()) continue;
    try {
      await link(source, path.join(copy, name));
    } catch (error) {
      // File systems without hard links: a real copy, slower but equally safe.
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EPERM' && code !== 'EXDEV' && code !== 'ENOTSUP' && code !== 'EMLINK') throw error;
      await copyFile(source, path.join(copy, name));
    }
  }
  return copy;
}

/** A LevelDB error with its cause (classic-level puts LevelDB's own message there). */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.cause instanceof Error ? `${error.message}: ${error.cause.message}` : error.message;
}
