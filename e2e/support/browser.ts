/**
 * Debian's Chromium driven by playwright-core. When /usr/bin/chromium is missing it is installed
 * with apt-get (as root); where that cannot work the run fails with one line saying what to
 * install. It never skips.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];

let installAttempted = false;

/** Makes sure Chromium is there, installing Debian's package if needed; throws one clear line otherwise. */
export function ensureChromium(): string {
  if (existsSync(CHROMIUM_PATH)) return CHROMIUM_PATH;
  const cannot = `e2e needs Chromium at ${CHROMIUM_PATH}: install it with "apt-get install -y chromium" (Debian/Ubuntu) and run the tests again`;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (installAttempted || !isRoot || !existsSync('/usr/bin/apt-get')) throw new Error(cannot);
  installAttempted = true;
  try {
    const options = { stdio: 'ignore' as const, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, timeout: 600_000 };
    execFileSync('apt-get', ['update'], options);
    execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], options);
  } catch (error) {
    throw new Error(`${cannot} (apt-get failed: ${(error as Error).message.split('\n')[0]})`);
  }
  if (!existsSync(CHROMIUM_PATH)) throw new Error(cannot);
  return CHROMIUM_PATH;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: ensureChromium(), args: CHROMIUM_ARGS });
}
