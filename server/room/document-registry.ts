/**
 * Opens and closes rooms. A document is loaded exactly once however many peers and leases ask
 * for it at the same moment (they all await the same promise), and unloaded only after its last
 * holder (peer or lease) left and its writes are flushed, re-checking for a newcomer after every
 * await: a holder that arrives during the flush keeps the room open instead of racing a fresh
 * load against the old writes.
 *
 * Deleting a document (`delete`) closes its peers, flushes and destroys its room, then removes the
 * stored copy; joins and leases for that name are refused until it is done, so nobody reloads the
 * stale content in between.
 *
 * Lifecycle hooks for layers above (cross-process fan-out, metrics): wrap the injected
 * `loadRoom` to act before and after a load (subscribe to a channel first, then attach listeners
 * to the room), and listen to the registry's `unloaded` event to drop what was set up for it.
 */
import { ObservableV2 } from 'lib0/observable';
import type { Logger } from 'pino';
import type { Room } from './room.js';
import type { RoomPeer } from './room-peer.js';
import { RoomLease, type DocumentLease } from './document-lease.js';
import { RoomError } from './room-error.js';

export interface DocumentRegistryOptions {
  /** Loads a document from the store and builds its room. */
  loadRoom: (name: string) => Promise<Room>;
  logger: Logger;
  /** Delay before retrying an unload whose flush failed. */
  unloadRetryMs?: number;
}

export interface DocumentRegistryEvents {
  /** A room was destroyed (after its last holder left and its writes were flushed, or at shutdown). */
  unloaded: (name: string, room: Room) => void;
}

export class DocumentRegistry extends ObservableV2<DocumentRegistryEvents> {
  readonly #rooms = new Map<string, Promise<Room>>();
  readonly #loaded = new Map<string, Room>();
  readonly #unloading = new Set<Room>();
  readonly #options: DocumentRegistryOptions;
  readonly #retryTimers = new Set<NodeJS.Timeout>();
  readonly #deleting = new Map<string, Promise<void>>();
  #closing = false;

  constructor(options: DocumentRegistryOptions) {
    super();
    this.#options = options;
  }

  /** Number of documents loaded or loading. */
  get size(): number {
    return this.#rooms.size;
  }

  /** Resolves once the document is loaded and the peer attached (no sync before the load). */
  async join(name: string, peer: RoomPeer): Promise<Room> {
    if (this.#closing) throw new Error('server is shutting down');
    let room = await this.#openUnlessDeleting(name);
    // Unloaded between the load resolving and this continuation running: load it afresh.
    while (room.isDestroyed) room = await this.#openUnlessDeleting(name);
    if (!peer.isOpen) {
      // Left while the document was loading: never attach, and unload if nobody else came.
      this.#unloadIfIdle(name, room);
      return room;
    }
    room.attach(peer);
    return room;
  }

  /**
   * A socket-less hold on the live document (document-lease.ts), resolved once it is loaded.
   * Counted like a peer until released; leases opened together share one load.
   */
  async open(name: string): Promise<DocumentLease> {
    if (this.#closing) throw new RoomError('server-closing', 'server is shutting down');
    let room = await this.#openUnlessDeleting(name);
    // Unloaded between the load resolving and this continuation running: load it afresh.
    while (room.isDestroyed) room = await this.#openUnlessDeleting(name);
    if (this.#closing) throw new RoomError('server-closing', 'server is shutting down');
    const lease = new RoomLease({
      name,
      room,
      onRelease: (released) => {
        room.removeLease(released);
        this.#unloadIfIdle(name, room);
      },
    });
    room.addLease(lease);
    return lease;
  }

  /**
   * Deletes a document: closes its peers with `closePeer`, waits for writes already under way (so
   * no stale write lands after the delete), destroys the room (leases held fail with
   * 'document-closed'), then runs `removeStored`. Joins and opens for `name` reject with
   * RoomError 'document-deleting' meanwhile; concurrent deletes share one run.
   */
  delete(name: string, options: { closePeer: (peer: RoomPeer) => void; removeStored: () => Promise<void> }): Promise<void> {
    const running = this.#deleting.get(name);
    if (running) return running;
    const run = this.#delete(name, options).finally(() => this.#deleting.delete(name));
    this.#deleting.set(name, run);
    return run;
  }

  /** True while a delete of `name` runs. */
  isDeleting(name: string): boolean {
    return this.#deleting.has(name);
  }

  /** The room of a document that is loaded, or null; never starts a load. For read-only views. */
  peekLoaded(name: string): Room | null {
    const room = this.#loaded.get(name);
    return room && !room.isDestroyed ? room : null;
  }

  /** Rooms loaded now (not those still loading), for read-only views such as the admin overview. */
  loaded(): Room[] {
    return [...this.#loaded.values()].filter((room) => !room.isDestroyed);
  }

  leave(name: string, room: Room, peer: RoomPeer): void {
    room.detach(peer);
    this.#unloadIfIdle(name, room);
  }

  /** Names and rooms currently in memory. */
  async loadedRooms(): Promise<Room[]> {
    const settled = await Promise.allSettled(this.#rooms.values());
    return settled.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  }

  /** Flushes every room (writes and compaction), then destroys them. For shutdown. */
  async closeAll(): Promise<void> {
    this.#closing = true;
    for (const timer of this.#retryTimers) clearTimeout(timer);
    // Rooms an unload already destroyed are done with.
    const rooms = (await this.loadedRooms()).filter((room) => !room.isDestroyed);
    const results = await Promise.allSettled(rooms.map((room) => room.flush()));
    const failures = results.flatMap((result): unknown[] => (result.status === 'rejected' ? [result.reason] : []));
    for (const room of rooms) {
      room.destroy();
      this.emit('unloaded', [room.name, room]);
    }
    this.#rooms.clear();
    this.#loaded.clear();
    if (failures.length > 0) throw new AggregateError(failures, 'flush failed');
  }

  async #delete(name: string, options: { closePeer: (peer: RoomPeer) => void; removeStored: () => Promise<void> }): Promise<void> {
    const loading = this.#rooms.get(name);
    const room = loading ? await loading.catch(() => null) : null;
    if (room && !room.isDestroyed) {
      for (const peer of [...room.peers]) options.closePeer(peer);
      try {
        await room.flush();
      } catch (error) {
        // The store delete below removes whatever did land; the rest dies with the room.
        this.#options.logger.warn({ doc: name, err: error }, 'flush before delete failed');
      }
      if (this.#rooms.get(name) === loading) {
        this.#rooms.delete(name);
        this.#loaded.delete(name);
      }
      if (!room.isDestroyed) {
        room.destroy();
        this.emit('unloaded', [name, room]);
      }
    }
    await options.removeStored();
  }

  async #openUnlessDeleting(name: string): Promise<Room> {
    if (this.#deleting.has(name)) throw new RoomError('document-deleting', `${name} is being deleted`);
    const room = await this.#open(name);
    // A delete that started while this load was under way owns the room now.
    if (this.#deleting.has(name)) throw new RoomError('document-deleting', `${name} is being deleted`);
    return room;
  }

  #open(name: string): Promise<Room> {
    let room = this.#rooms.get(name);
    if (!room) {
      room = this.#options.loadRoom(name);
      this.#rooms.set(name, room);
      room.then((loaded) => this.#loaded.set(name, loaded), () => undefined);
      // A failed load must not poison the name: the next join tries again.
      room.catch((error: unknown) => {
        this.#options.logger.error({ doc: name, err: error }, 'document failed to load');
        if (this.#rooms.get(name) === room) this.#rooms.delete(name);
      });
    }
    return room;
  }

  #unloadIfIdle(name: string, room: Room): void {
    if (room.holderCount > 0 || room.isDestroyed || this.#unloading.has(room) || this.#closing) return;
    this.#unloading.add(room);
    void this.#unload(name, room);
  }

  async #unload(name: string, room: Room): Promise<void> {
    try {
      await room.flush();
    } catch (error) {
      this.#options.logger.error({ doc: name, err: error }, 'flush before unload failed; keeping document in memory');
      this.#unloading.delete(room);
      this.#retryUnloadLater(name, room);
      return;
    }
    this.#unloading.delete(room);
    // Someone joined or took a lease while we flushed: the room stays, it is theirs now.
    if (room.holderCount > 0 || this.#closing) return;
    if (room.hasUnsavedChanges) {
      this.#unloadIfIdle(name, room);
      return;
    }
    if (this.#loaded.get(name) === room) {
      this.#rooms.delete(name);
      this.#loaded.delete(name);
      room.destroy();
      this.#options.logger.debug({ doc: name }, 'document unloaded');
      this.emit('unloaded', [name, room]);
    }
  }

  #retryUnloadLater(name: string, room: Room): void {
    const timer = setTimeout(() => {
      this.#retryTimers.delete(timer);
      this.#unloadIfIdle(name, room);
    }, this.#options.unloadRetryMs ?? 1_000);
    timer.unref();
    this.#retryTimers.add(timer);
  }
}
