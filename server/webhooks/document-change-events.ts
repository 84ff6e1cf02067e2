/**
 * Turns a room's edits into debounced `document.changed` events: one per editing period
 * (room/editing-periods.ts: once the document has been quiet for `quietMs`, or at the latest
 * `maxWaitMs` after the first edit of a period during continuous editing, and when the room
 * unloads), naming who edited in that period.
 *
 * Only the edits this process stores count (client, lease and untagged edits): a cluster member
 * reports the edits made through it, never those relayed from another member.
 */
import type { Room } from '../room/room.js';
import { watchEditingPeriods } from '../room/editing-periods.js';
import { systemClock } from '../clock.js';
import type { WebhookEventData } from './webhook-event.js';

export interface ChangeDebounce {
  quietMs: number;
  maxWaitMs: number;
}

export const DEFAULT_CHANGE_DEBOUNCE: ChangeDebounce = Object.freeze({ quietMs: 2_000, maxWaitMs: 30_000 });

/** Subscribes; `emit` gets each period's event data. Pending changes are emitted when the room unloads. */
export function reportDocumentChanges(room: Room, debounce: ChangeDebounce, emit: (data: WebhookEventData) => void): () => void {
  const periods = watchEditingPeriods(room, debounce, systemClock, (period) => {
    emit({ document: room.name, editors: period.editors, serverEdits: period.serverEdits, since: new Date(period.firstAt).toISOString() });
  });
  return () => periods.stop();
}
