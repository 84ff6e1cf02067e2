/** Bytes a server keeps on disk for its data folder (file sizes, recursively). */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';

export async function diskUsageBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) total += await diskUsageBytes(full);
    else if (entry.isFile()) total += (await stat(full)).size;
  }
  return total;
}
