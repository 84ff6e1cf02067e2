/**
 * Version history for one server process: cuts automatic versions by activity, records the
 * versions HTTP asks for (named, pre-restore, restore), and thins each document's history after
 * every version it adds (version-retention.ts).
 *
 * Automatic versions follow each room's editing periods (room/editing-periods.ts): a version
 * once the document has been quiet for `quietMs` after changes, at least every `maxIntervalMs`
 * during continuous editing, and one when a document with unversioned changes unloads. Only
 * edits this process stores count, so in a cluster the member where an edit arrived cuts the
 * version (with the whole document as that member holds it); relayed edits do not.
 *
 * The state is encoded on the event loop at the moment the period ends (the document is still
 * readable while it unloads); compressing and storing run after, one version at a time per
 * document, so thinning always sees the versions before it.
 */
import * as Y from 'yjs';
import type { Logger } from 'pino';
import type { DocumentStore } from '../persistence/document-store.js';
import type { NewVersion, VersionEditor } from '../persistence/document-versions.js';
import { KeyedMutex } from '../persistence/keyed-mutex.js';
import { watchEditingPeriods, type EditingPeriod, type EditingPeriods } from '../room/editing-periods.js';
import { systemClock, type Clock } from '../clock.js';
import type { Room } from '../room/room.js';
import { DEFAULT_RETENTION, versionsToDelete, type RetentionPolicy } from './version-retention.js';

export interface HistorySchedule {
  /** An automatic version once the document has been quiet this long after changes. */
  quietMs: number;
  /** At least one automatic version this often while changes keep coming. */
  maxIntervalMs: number;
}

export const DEFAULT_SCHEDULE: HistorySchedule = Object.freeze({ quietMs: 30_000, maxIntervalMs: 10 * 60_000 });

export interface VersionHistoryOptions {
  store: DocumentStore;
  logger: Logger;
  schedule?: Partial<HistorySchedule>;
  retention?: Partial<RetentionPolicy>;
  /** Time and timers (tests drive a manual clock). */
  clock?: Clock;
  /** True while the document is being deleted: its unloading cuts no version. */
  isDeleting?: (name: string) => boolean;
}

/** Who an editing period's editors were, as versions record them ("anonymous" in open mode). */
export function versionEditorsOf(period: EditingPeriod | null): VersionEditor[] {
  if (!period) return [];
  return period.editors.map(({ subject, name }) => ({ sub: subject ?? 'anonymous', name: name ?? (subject === null ? 'anonymous' : null) }));
}

export class VersionHistory {
  readonly clock: Clock;
  readonly #store: DocumentStore;
  readonly #logger: Logger;
  readonly #schedule: HistorySchedule;
  readonly #retention: RetentionPolicy;
  readonly #periods = new Map<string, EditingPeriods>();
  readonly #writes = new KeyedMutex();
  readonly #inFlight = new Set<Promise<unknown>>();
  readonly #isDeleting: (name: string) => boolean;

  constructor(options: VersionHistoryOptions) {
    this.#store = options.store;
    this.#logger = options.logger;
    this.#schedule = { ...DEFAULT_SCHEDULE, ...options.schedule };
    this.#retention = { ...DEFAULT_RETENTION, ...options.retention };
    this.clock = options.clock ?? systemClock;
    this.#isDeleting = options.isDeleting ?? (() => false);
  }

  /** Wraps the room loader so that every room loaded cuts automatic versions. */
  wrapLoader(loadRoom: (name: string) => Promise<Room>): (name: string) => Promise<Room> {
    return async (name) => {
      const room = await loadRoom(name);
      this.#watch(room);
      return room;
    };
  }

  /**
   * Ends the loaded document's open editing period and returns who edited in it, for a version
   * cut now (named, pre-restore, restore): the next automatic version then counts from it.
   */
  takeEditors(name: string): VersionEditor[] {
    return versionEditorsOf(this.#periods.get(name)?.take() ?? null);
  }

  /** Stores a version and thins the document's history; resolves with the version's id. */
  record(name: string, version: Omit<NewVersion, 'createdAt'>): Promise<number> {
    const createdAt = this.clock.now();
    const recording = this.#writes.run(name, async () => {
      const id = await this.#store.addVersion(name, { ...version, createdAt });
      const doomed = versionsToDelete(await this.#store.listVersions(name), this.clock.now(), this.#retention);
      if (doomed.length > 0) await this.#store.deleteVersions(name, doomed);
      return id;
    });
    this.#inFlight.add(recording);
    void recording.catch(() => undefined).finally(() => this.#inFlight.delete(recording));
    return recording;
  }

  /** Resolves once every version of `name` recorded so far is stored (or failed): before deleting the document. */
  settled(name: string): Promise<void> {
    return this.#writes.run(name, () => Promise.resolve());
  }

  /** Resolves once every version recorded so far is stored (or failed): before closing the store. */
  async idle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  #watch(room: Room): void {
    const timing = { quietMs: this.#schedule.quietMs, maxWaitMs: this.#schedule.maxIntervalMs };
    const periods = watchEditingPeriods(room, timing, this.clock, (period, reason) => {
      if (reason === 'unloading' && this.#isDeleting(room.name)) return;
      const state = Y.encodeStateAsUpdate(room.doc);
      this.record(room.name, { kind: 'auto', name: null, state, editors: versionEditorsOf(period) }).then(
        (id) => this.#logger.debug({ doc: room.name, version: id, reason, bytes: state.length }, 'automatic version'),
        (error: unknown) => this.#logger.warn({ doc: room.name, err: error }, 'storing an automatic version failed'),
      );
    });
    this.#periods.set(room.name, periods);
    // After the period listener's own (subscribed first): the unloading version is cut first.
    room.once('unloading', () => {
      periods.stop();
      if (this.#periods.get(room.name) === periods) this.#periods.delete(room.name);
    });
  }
}
