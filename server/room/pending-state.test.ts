import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { hasNewPending, pendingStateOf } from './pending-state.js';

/** An update by a second client that inserts into and deletes from `base`'s text. */
function dependentUpdate(base: Y.Doc): Uint8Array {
  const other = new Y.Doc();
  Y.applyUpdate(other, Y.encodeStateAsUpdate(base));
  const before = Y.encodeStateVector(other);
  other.getText('t').insert(1, 'x');
  other.getText('t').delete(3, 1);
  return Y.encodeStateAsUpdate(other, before);
}

function applyAndCheck(doc: Y.Doc, update: Uint8Array): boolean {
  const before = pendingStateOf(doc);
  Y.applyUpdate(doc, update);
  return hasNewPending(before, pendingStateOf(doc));
}

describe('hasNewPending', () => {
  it('reports an update with missing dependencies, and not one that integrates while others stay pending', () => {
    const missing = new Y.Doc();
    missing.getText('t').insert(0, 'abcdef');
    const server = new Y.Doc();
    expect(applyAndCheck(server, dependentUpdate(missing))).toBe(true);

    // An independent edit integrates; the held delete set is re-encoded but unchanged.
    const independent = new Y.Doc();
    independent.getMap('m').set('k', 1);
    expect(applyAndCheck(server, Y.encodeStateAsUpdate(independent))).toBe(false);
    expect(server.store.pendingDs).not.toBeNull();

    // The missing change arrives: everything integrates, nothing is left pending.
    expect(applyAndCheck(server, Y.encodeStateAsUpdate(missing))).toBe(false);
    expect(server.store.pendingStructs).toBeNull();
    expect(server.store.pendingDs).toBeNull();
    expect(server.getText('t').toString()).toBe('axbdef');
  });
});
