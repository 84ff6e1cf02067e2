/**
 * Storage cost of version history, scaled down (bench/history-storage.ts runs the full sizes):
 * the benchmark's typing history and a large document edited continuously, through the real
 * pipeline on a driven clock. Bounds: one automatic version per pause and per 10 minutes of
 * continuous editing, each at most the document's size, and retention thinning them with age.
 */
import { describe, expect, it } from 'vitest';
import { generateText, generateTyping } from '../../bench/lib/typing.js';
import { largeDocumentSession, measureHistoryCost, typingSession } from '../test-support/history-cost.js';

const DAY = 24 * 60 * 60_000;

describe('version history storage cost (scaled down)', () => {
  it('20,000 keystrokes typed in 5-minute bursts with 2-minute pauses: one version per pause plus one on unload, thinned to a few after 8 days', async () => {
    const { updates } = generateTyping(20_000);
    const cost = await measureHistoryCost({ updates: typingSession(updates), thenAgeMs: 8 * DAY });
    // Pauses before keystrokes 1,500, 3,000, … 19,500: 13 quiet cuts, then the unload.
    expect(cost.session.byKind).toEqual({ auto: 14 });
    expect(cost.session.historyStoredBytes).toBeLessThan(cost.session.versions * cost.documentBytes);
    // 8 days on, the session (about 1.5 hours) is in the one-per-day range.
    expect(cost.aged!.byKind.auto).toBeLessThanOrEqual(2);
    expect(cost.aged!.byKind.named).toBe(1);
  }, 120_000);

  it('a 500 kB document edited every 200 ms for 20 minutes: a version every 10 minutes and one on unload, each compressed below the document', async () => {
    const cost = await measureHistoryCost({ updates: largeDocumentSession(generateText(500_000), { durationMs: 20 * 60_000 }) });
    expect(cost.session.byKind).toEqual({ auto: 3 });
    expect(cost.session.historyStoredBytes).toBeLessThan(cost.session.versions * cost.documentBytes);
    expect(cost.session.historyRawBytes).toBeGreaterThanOrEqual(2 * cost.documentBytes);
  }, 120_000);
});
