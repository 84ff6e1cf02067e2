/**
 * Builds a room from what the store holds, and wires its listeners: broadcast to peers and the
 * store writer (a wrapper around this loader can subscribe more, or subscribe to a cross-process
 * channel before the load starts). No peer is attached before the stored bytes have been read,
 * so no peer can ever be answered from a half-loaded document; the room answers the first
 * full-state requests from those bytes and applies them to its Y.Doc right after.
 */
import * as Y from 'yjs';
import type { Logger } from 'pino';
import type { DocumentStore } from '../persistence/document-store.js';
import type { CompactionPolicy } from '../persistence/document-compactor.js';
import { DocumentWriter } from '../persistence/document-writer.js';
import { Room } from './room.js';
import { encodeDocumentState } from './encode-document-state.js';
import { broadcastRoomChanges } from './room-broadcast.js';
import { storeRoomChanges } from './room-store.js';
import type { AnswerBudgetLimits } from './answer-budget.js';
import type { UpdateOrigin } from './room-peer.js';

export interface RoomLoaderOptions {
  store: DocumentStore;
  logger: Logger;
  compaction: CompactionPolicy;
  maxMessagesPerTurn?: number;
  retryDelayMs?: { initial: number; max: number };
  answerBudget?: AnswerBudgetLimits;
}

const CATCH_UP: UpdateOrigin = { source: 'catch-up' };

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
      // What other processes stored meanwhile: into the live document, so the snapshot holds it
      // (and its peers get it); tagged catch-up, it is neither stored again nor republished.
      catchUp: (updates) => {
        const live = room!.doc;
        live.transact(() => {
          for (const update of updates) Y.applyUpdate(live, update, CATCH_UP);
        }, CATCH_UP);
      },
      onCompacted: () => room?.emit('compacted', []),
      initial: {
        snapshotGeneration: stored.cursor.snapshotGeneration,
        logEntries: stored.log.length,
        logBytes: stored.log.reduce((bytes, update) => bytes + update.length, 0),
        snapshotBytes: stored.snapshot?.length ?? 0,
      },
      ...(options.retryDelayMs ? { retryDelayMs: options.retryDelayMs } : {}),
    });
    const storedState = stored.snapshot ? [stored.snapshot, ...stored.log] : stored.log;
    room = new Room({
      name,
      doc,
      writer,
      logger: options.logger,
      maxMessagesPerTurn: options.maxMessagesPerTurn,
      storedState,
      ...(options.answerBudget ? { answerBudget: options.answerBudget } : {}),
    });
    broadcastRoomChanges(room);
    storeRoomChanges(room, writer);
    return room;
  };
}
