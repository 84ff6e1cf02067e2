/**
 * Builds a room from what the store holds: snapshot and log applied in one transaction before
 * the room exists, so no peer can ever be answered from a half-loaded document.
 */
import * as Y from 'yjs';
import type { Logger } from 'pino';
import type { DocumentStore } from '../persistence/document-store.js';
import { DocumentWriter, type CompactionPolicy } from '../persistence/document-writer.js';
import { Room } from './room.js';
import type { UpdateOrigin } from './room-peer.js';

export interface RoomLoaderOptions {
  store: DocumentStore;
  logger: Logger;
  compaction: CompactionPolicy;
  maxMessagesPerTurn?: number;
  retryDelayMs?: { initial: number; max: number };
}

export function createRoomLoader(options: RoomLoaderOptions): (name: string) => Promise<Room> {
  return async (name) => {
    const stored = await options.store.load(name);
    const doc = new Y.Doc({ gc: true });
    const origin: UpdateOrigin = { source: 'store' };
    doc.transact(() => {
      if (stored.snapshot) Y.applyUpdate(doc, stored.snapshot, origin);
      for (const update of stored.log) Y.applyUpdate(doc, update, origin);
    }, origin);
    const writer = new DocumentWriter({
      name,
      store: options.store,
      logger: options.logger,
      compaction: options.compaction,
      encodeSnapshot: () => Y.encodeStateAsUpdate(doc),
      initial: {
        lastSeq: stored.lastSeq,
        logEntries: stored.log.length,
        logBytes: stored.log.reduce((bytes, update) => bytes + update.length, 0),
        snapshotBytes: stored.snapshot?.length ?? 0,
      },
      ...(options.retryDelayMs ? { retryDelayMs: options.retryDelayMs } : {}),
    });
    const storedState = stored.snapshot ? [stored.snapshot, ...stored.log] : stored.log;
    return new Room({ name, doc, writer, logger: options.logger, maxMessagesPerTurn: options.maxMessagesPerTurn, storedState });
  };
}
