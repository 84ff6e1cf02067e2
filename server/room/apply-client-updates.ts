/**
 * One peer's consecutive updates, applied to the document as one transaction (one merged
 * broadcast and one store write for all of them).
 *
 * Each update is checked before it is applied: one that would nest Y types deeper than
 * MAX_NESTING_DEPTH stops the batch with a ProtocolError and changes nothing itself
 * (nesting-depth.ts); the updates before it in the batch stay applied. Updates that Yjs holds
 * pending for missing dependencies are returned, to be stored as they are (pending-state.ts).
 */
import * as Y from 'yjs';
import type { UpdateMessage } from '../protocol/codec.js';
import { ProtocolError } from '../protocol/protocol-error.js';
import type { UpdateOrigin } from './room-peer.js';
import { exceedsNestingDepth, MAX_NESTING_DEPTH } from './nesting-depth.js';
import { hasNewPending, pendingStateOf } from './pending-state.js';

export interface AppliedUpdates {
  /** Updates Yjs holds pending (applied, but in no 'update' event yet). */
  pending: Uint8Array[];
  /** Why the batch stopped: a ProtocolError (refused update) or a Yjs integration failure. */
  error: unknown;
}

export function applyClientUpdates(doc: Y.Doc, updates: UpdateMessage[], origin: UpdateOrigin): AppliedUpdates {
  const pending: Uint8Array[] = [];
  try {
    doc.transact(() => {
      for (const { update, createsTypes } of updates) {
        // Against the document as the updates before it in the batch left it. Pending structs
        // may hold types this update unlocks, so those are checked too.
        if ((createsTypes || doc.store.pendingStructs) && exceedsNestingDepth(doc, update)) {
          throw new ProtocolError('too-deeply-nested', `update nests types deeper than ${MAX_NESTING_DEPTH} levels`);
        }
        const before = pendingStateOf(doc);
        Y.applyUpdate(doc, update, origin);
        if (hasNewPending(before, pendingStateOf(doc))) pending.push(update);
      }
    }, origin);
  } catch (error) {
    return { pending, error };
  }
  return { pending, error: null };
}
