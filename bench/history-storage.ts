/**
 * Storage cost of version history at full size (server/history/history-storage.int.test.ts runs
 * it scaled down): bytes of stored versions per byte of document, with the default schedule
 * (quiet 30 s, at least every 10 min) and retention, on a driven clock.
 *
 * - The benchmark's 200,000-keystroke typing history (bench/lib/typing.ts), typed at 5 keystrokes
 *   a second in 5-minute bursts with 2-minute pauses (about 15.5 hours), then 8 days later.
 * - A 5 MB document edited for an hour (a keystroke every 200 ms at a cursor that wanders).
 *
 * Run: node --import tsx bench/history-storage.ts [--quick]; writes bench/results/history-storage.json.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateText, generateTyping } from './lib/typing.js';
import { largeDocumentSession, measureHistoryCost, type HistoryCost } from '../server/test-support/history-cost.js';
import { typingSession } from '../server/test-support/history-cost.js';

const DAY = 24 * 60 * 60_000;
const quick = process.argv.includes('--quick');

function describe(title: string, cost: HistoryCost): string {
  const line = (label: string, s: HistoryCost['session']): string =>
    `  ${label}: ${s.versions} versions ${JSON.stringify(s.byKind)}, ${(s.historyStoredBytes / 1e6).toFixed(2)} MB stored (${(s.historyRawBytes / 1e6).toFixed(2)} MB uncompressed), ${s.bytesPerDocumentByte.toFixed(2)} bytes of history per byte of document`;
  return [
    `${title}: document ${(cost.documentBytes / 1e6).toFixed(2)} MB, ${(cost.simulatedMs / 3_600_000).toFixed(1)} h simulated`,
    line('after the session', cost.session),
    ...(cost.aged ? [line('8 days later', cost.aged)] : []),
  ].join('\n');
}

const keystrokes = quick ? 20_000 : 200_000;
const typingStart = performance.now();
const typing = await measureHistoryCost({ updates: typingSession(generateTyping(keystrokes).updates), thenAgeMs: 8 * DAY });
const typingMs = performance.now() - typingStart;
console.log(describe(`${keystrokes.toLocaleString('en')}-keystroke typing history`, typing));

const largeBytes = quick ? 500_000 : 5_000_000;
const largeStart = performance.now();
const large = await measureHistoryCost({ updates: largeDocumentSession(generateText(largeBytes)), thenAgeMs: 8 * DAY });
const largeMs = performance.now() - largeStart;
console.log(describe(`${(largeBytes / 1e6).toFixed(1)} MB document edited for an hour`, large));

const out = path.join(path.dirname(fileURLToPath(import.meta.url)), 'results', quick ? 'history-storage-quick.json' : 'history-storage.json');
await writeFile(out, `${JSON.stringify({ measuredAt: new Date().toISOString(), typing: { keystrokes, runMs: Math.round(typingMs), ...typing }, large: { bytes: largeBytes, runMs: Math.round(largeMs), ...large } }, null, 2)}\n`);
console.log(`written to ${path.relative(process.cwd(), out)}`);
