import { describe, expect, it } from 'vitest';
import type { VersionKind } from '../persistence/document-versions.js';
import { DEFAULT_RETENTION, versionsToDelete } from './version-retention.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const NOW = Date.UTC(2026, 11, 3, 12, 0, 0);

interface V {
  id: number;
  kind: VersionKind;
  createdAt: number;
}

/** One automatic version every `everyMs` for `spanMs` up to NOW, ids ascending with time. */
function generated(spanMs: number, everyMs: number, kind: VersionKind = 'auto'): V[] {
  const versions: V[] = [];
  for (let t = NOW - spanMs, id = 1; t <= NOW; t += everyMs, id++) versions.push({ id, kind, createdAt: t });
  return versions;
}

function kept(versions: V[], policy = DEFAULT_RETENTION): V[] {
  const doomed = new Set(versionsToDelete(versions, NOW, policy));
  return versions.filter((v) => !doomed.has(v.id));
}

describe('version retention (pure)', () => {
  it('keeps every automatic version of the last 24 hours', () => {
    const versions = generated(23 * HOUR, 10 * MINUTE);
    expect(kept(versions)).toHaveLength(versions.length);
  });

  it('keeps the newest per hour between 24 hours and 7 days, and the newest per day beyond', () => {
    // Thirty days of a version every 10 minutes: 4,321 versions.
    const versions = generated(30 * DAY, 10 * MINUTE);
    const left = kept(versions, { ...DEFAULT_RETENTION, maxAutomatic: 100_000 });
    const recent = left.filter((v) => NOW - v.createdAt < DAY);
    const hourly = left.filter((v) => NOW - v.createdAt >= DAY && NOW - v.createdAt < 7 * DAY);
    const daily = left.filter((v) => NOW - v.createdAt >= 7 * DAY);
    expect(recent).toHaveLength(versions.filter((v) => NOW - v.createdAt < DAY).length);
    expect(new Set(hourly.map((v) => Math.floor(v.createdAt / HOUR))).size).toBe(hourly.length);
    expect(hourly.length).toBeGreaterThanOrEqual(6 * 24 - 1);
    expect(hourly.length).toBeLessThanOrEqual(6 * 24 + 1);
    expect(new Set(daily.map((v) => Math.floor(v.createdAt / DAY))).size).toBe(daily.length);
    expect(daily.length).toBeGreaterThanOrEqual(23);
    expect(daily.length).toBeLessThanOrEqual(24);
    // The one kept in each hour bucket is that hour's newest past 24 hours (the state at the end of the hour).
    for (const v of hourly) {
      const sameHour = versions.filter((o) => NOW - o.createdAt >= DAY && Math.floor(o.createdAt / HOUR) === Math.floor(v.createdAt / HOUR));
      expect(v.createdAt).toBe(Math.max(...sameHour.map((o) => o.createdAt)));
    }
  });

  it('caps automatic versions per document, deleting the oldest first', () => {
    const versions = generated(20 * HOUR, MINUTE / 2); // 2,401 in the keep-everything window
    const left = kept(versions, { ...DEFAULT_RETENTION, maxAutomatic: 500 });
    expect(left).toHaveLength(500);
    expect(left.map((v) => v.id)).toEqual(versions.slice(-500).map((v) => v.id));
  });

  it('never deletes named or pre-restore versions, however old or many', () => {
    const named = generated(60 * DAY, 6 * HOUR, 'named');
    const preRestore = generated(60 * DAY, 6 * HOUR, 'pre-restore').map((v) => ({ ...v, id: v.id + 10_000 }));
    const automatic = generated(60 * DAY, HOUR).map((v) => ({ ...v, id: v.id + 20_000 }));
    const left = kept([...named, ...preRestore, ...automatic], { ...DEFAULT_RETENTION, maxAutomatic: 10 });
    expect(left.filter((v) => v.kind === 'named')).toHaveLength(named.length);
    expect(left.filter((v) => v.kind === 'pre-restore')).toHaveLength(preRestore.length);
    expect(left.filter((v) => v.kind === 'auto')).toHaveLength(10);
  });

  it('thins restore versions like automatic ones and never deletes the newest version', () => {
    const versions: V[] = [
      { id: 1, kind: 'restore', createdAt: NOW - 3 * DAY },
      { id: 2, kind: 'restore', createdAt: NOW - 3 * DAY + MINUTE },
      { id: 3, kind: 'auto', createdAt: NOW - 40 * DAY },
    ];
    // id 3 is the newest by id (ids, not times, order versions).
    expect(versionsToDelete(versions, NOW, DEFAULT_RETENTION)).toEqual([1]);
    expect(versionsToDelete(versions, NOW, { ...DEFAULT_RETENTION, maxAutomatic: 1 })).toEqual([1, 2]);
  });
});
