/**
 * Turns a room's edits into debounced `document.changed` events: one once the document has been
 * quiet for `quietMs`, or at the latest `maxWaitMs` after the first edit of a period during
 * continuous editing, naming who edited in that period. The update listener only notes the
 * editor and a time (no timer per keystroke): a timer per room checks back.
 *
 * Only the edits this process stores count (client, lease and untagged edits): a cluster member
 * reports the edits made through it, never those relayed from another member.
 */
import type { Room } from '../room/room.js';
import type { RoomEvents } from '../room/room-events.js';
import { isStoredOrigin } from '../room/room-store.js';
import type { WebhookEditor, WebhookEventData } from './webhook-event.js';

export interface ChangeDebounce {
  quietMs: number;
  maxWaitMs: number;
}

export const DEFAULT_CHANGE_DEBOUNCE: ChangeDebounce = Object.freeze({ quietMs: 2_000, maxWaitMs: 30_000 });

/** Subscribes; `emit` gets each period's event data. Pending changes are emitted when the room unloads. */
export function reportDocumentChanges(room: Room, debounce: ChangeDebounce, emit: (data: WebhookEventData) => void): () => void {
  // Keyed by subject and name: the same person in two tabs is one editor.
  let editors = new Map<string, WebhookEditor>();
  let serverEdits = 0;
  let firstAt = 0;
  let lastAt = 0;
  let timer: NodeJS.Timeout | null = null;

  const fire = (): void => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (firstAt === 0) return;
    emit({ document: room.name, editors: [...editors.values()], serverEdits, since: new Date(firstAt).toISOString() });
    editors = new Map();
    serverEdits = 0;
    firstAt = 0;
  };
  const check = (): void => {
    timer = null;
    const now = Date.now();
    const due = Math.min(lastAt + debounce.quietMs, firstAt + debounce.maxWaitMs);
    if (now >= due) fire();
    else arm(due - now);
  };
  const arm = (ms: number): void => {
    timer = setTimeout(check, ms);
    timer.unref();
  };

  const onUpdate: RoomEvents['update'] = (_update, origin) => {
    if (!isStoredOrigin(origin)) return;
    const now = Date.now();
    if (origin?.source === 'client') {
      const { subject, displayName } = origin.peer;
      editors.set(JSON.stringify([subject, displayName]), { subject, name: displayName });
    } else {
      serverEdits += 1;
    }
    if (firstAt === 0) firstAt = now;
    lastAt = now;
    if (!timer) arm(debounce.quietMs);
  };
  const onUnloading = (): void => fire();
  room.on('update', onUpdate);
  room.on('unloading', onUnloading);
  return () => {
    if (timer) clearTimeout(timer);
    room.off('update', onUpdate);
    room.off('unloading', onUnloading);
  };
}
