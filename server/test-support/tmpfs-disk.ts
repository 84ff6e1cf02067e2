/**
 * A real, small disk for disk-full tests: a tmpfs mounted on a temp folder (needs root or
 * CAP_SYS_ADMIN; a test that cannot mount fails saying so, it never skips). `fill()` writes a
 * filler file until the file system answers ENOSPC; `free()` deletes it again.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, open, rm, rmdir, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TmpfsDisk {
  /** Mount point. */
  readonly path: string;
  /** Writes a filler file until ENOSPC; resolves with the bytes it took. */
  fill(): Promise<number>;
  /** Deletes the filler file. */
  free(): Promise<void>;
  /** Unmounts and removes the mount point (idempotent). */
  dispose(): Promise<void>;
}

export async function mountTmpfsDisk(options: { sizeBytes: number }): Promise<TmpfsDisk> {
  const mountPoint = await mkdtemp(path.join(tmpdir(), 'tandem-disk-'));
  try {
    await run('mount', ['-t', 'tmpfs', '-o', `size=${options.sizeBytes}`, 'tandem-test-disk', mountPoint]);
  } catch (error) {
    await rmdir(mountPoint);
    const detail = error instanceof Error ? error.message : String(error);
    throw new Error(`this test needs a real full disk: mounting a tmpfs on ${mountPoint} failed (run as root or with CAP_SYS_ADMIN): ${detail}`);
  }
  const filler = path.join(mountPoint, 'filler');
  let mounted = true;
  return {
    path: mountPoint,
    async fill() {
      const file = await open(filler, 'a');
      let written = 0;
      try {
        // Large chunks first, then single pages, so that the disk ends up full to the page.
        for (const chunkSize of [1 << 20, 4096, 512]) {
          const chunk = Buffer.alloc(chunkSize, 0x66);
          for (;;) {
            try {
              written += (await file.write(chunk)).bytesWritten;
            } catch (error) {
              if ((error as NodeJS.ErrnoException).code === 'ENOSPC') break;
              throw error;
            }
          }
        }
      } finally {
        await file.close();
      }
      return written;
    },
    async free() {
      await unlink(filler);
    },
    async dispose() {
      if (!mounted) return;
      mounted = false;
      await run('umount', [mountPoint]);
      await rm(mountPoint, { recursive: true, force: true });
    },
  };
}
