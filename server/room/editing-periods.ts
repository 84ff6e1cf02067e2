/**
 * Groups a room's edits into editing periods: a period starts with the first edit after the
 * previous one ended, and ends once the document has been quiet for `quietMs`, at the latest
 * `maxWaitMs` after it started (continuous editing), or when the room unloads. Each period
 * names who edited in it. The update listener only notes the editor and a time (no timer per
 * keystroke): one timer per room checks back. Webhooks (document.changed) and version history
 * (automatic versions) are built on it.
 *
 * Only the edits this process stores count (client, lease and untagged edits): a cluster member
 * sees the periods of edits made through it, never of those relayed from another member.
 */
import type { Room } from './room.js';
import type { RoomEvents } from './room-events.js';
import { isStoredOrigin } from './room-store.js';
import type { Clock } from '../clock.js';

/** A person (or anonymous client) who edited; both null in open mode. */
export interface PeriodEditor {
  subject: string | null;
  name: string | null;
}

export interface EditingPeriod {
  editors: PeriodEditor[];
  /** Edits made by server code (a lease, the HTTP API). */
  serverEdits: number;
  firstAt: number;
  lastAt: number;
}

export type PeriodEnd = 'quiet' | 'max-wait' | 'unloading';

export interface PeriodTiming {
  quietMs: number;
  maxWaitMs: number;
}

export interface EditingPeriods {
  /** Ends the current period now, without reporting it, and returns it (null when none is open). */
  take(): EditingPeriod | null;
  /** Unsubscribes; the open period, if any, is dropped. */
  stop(): void;
}

/** Subscribes; `onEnd` gets each period as it ends (also when the room unloads). */
export function watchEditingPeriods(room: Room, timing: PeriodTiming, clock: Clock, onEnd: (period: EditingPeriod, reason: PeriodEnd) => void): EditingPeriods {
  // Keyed by subject and name: the same person in two tabs is one editor.
  let editors = new Map<string, PeriodEditor>();
  // Connections already counted in this period: a keystroke of a known editor costs one lookup.
  let counted = new WeakSet<object>();
  let serverEdits = 0;
  let firstAt = 0;
  let lastAt = 0;
  let cancelTimer: (() => void) | null = null;

  const take = (): EditingPeriod | null => {
    cancelTimer?.();
    cancelTimer = null;
    if (firstAt === 0) return null;
    const period = { editors: [...editors.values()], serverEdits, firstAt, lastAt };
    editors = new Map();
    counted = new WeakSet();
    serverEdits = 0;
    firstAt = 0;
    return period;
  };
  const end = (reason: PeriodEnd): void => {
    const period = take();
    if (period) onEnd(period, reason);
  };
  const check = (): void => {
    cancelTimer = null;
    const now = clock.now();
    const quietAt = lastAt + timing.quietMs;
    const maxAt = firstAt + timing.maxWaitMs;
    if (now >= Math.min(quietAt, maxAt)) end(quietAt <= maxAt ? 'quiet' : 'max-wait');
    else arm(Math.min(quietAt, maxAt) - now);
  };
  const arm = (ms: number): void => {
    cancelTimer = clock.setTimer(check, ms);
  };

  const onUpdate: RoomEvents['update'] = (_update, origin) => {
    if (!isStoredOrigin(origin)) return;
    const now = clock.now();
    if (origin?.source === 'client') {
      const { peer } = origin;
      if (!counted.has(peer)) {
        counted.add(peer);
        editors.set(JSON.stringify([peer.subject, peer.displayName]), { subject: peer.subject, name: peer.displayName });
      }
    } else {
      serverEdits += 1;
    }
    if (firstAt === 0) firstAt = now;
    lastAt = now;
    if (!cancelTimer) arm(timing.quietMs);
  };
  const onUnloading = (): void => end('unloading');
  room.on('update', onUpdate);
  room.on('unloading', onUnloading);
  return {
    take,
    stop() {
      cancelTimer?.();
      cancelTimer = null;
      room.off('update', onUpdate);
      room.off('unloading', onUnloading);
    },
  };
}
