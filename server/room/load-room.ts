/**
 * Builds a room from what the store holds. No peer is attached before the stored bytes have been
 * read, so no peer can ever be answered from a half-loaded document; the room answers the first
 * full-state requests from those bytes and applies them to its Y.Doc right after.
 */
import * as Y from 'yjs';
import type { Logger } from 'pino';
import type { DocumentStore } from '../persistence/document-store.js';
import { DocumentWriter, type CompactionPolicy } from '../persistence/document-writer.js';
import { Room } from './room.js';
import { encodeDocumentState } from './encode-document-state.js';

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
    // The stored updates are applied by the room, right after it first answers from them.
    const doc = new Y.Doc({ gc: true });
    let room: Room | null = null;
    const writer = new DocumentWriter({
      name,
      store: options.store,
      logger: options.logger,
      compaction: options.compaction,
      encodeSnapshot: () => encodeDocumentState(room!.doc),
      initial: {
        lastSeq: stored.lastSeq,
        logEntries: stored.log.length,
        logBytes: stored.log.reduce((bytes, update) => bytes + update.length, 0),
        snapshotBytes: stored.snapshot?.length ?? 0,
      },
      ...(options.retryDelayMs ? { retryDelayMs: options.retryDelayMs } : {}),
    });
    const storedState = stored.snapshot ? [stored.snapshot, ...stored.log] : stored.log;
    room = new Room({ name, doc, writer, logger: options.logger, maxMessagesPerTurn: options.maxMessagesPerTurn, storedState });
    return room;
  };
}
