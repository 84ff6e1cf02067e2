import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { encodeDocumentState } from './encode-document-state.js';

describe('encodeDocumentState', () => {
  it('includes the pending structs and pending delete set Yjs holds for missing dependencies', () => {
    const a = new Y.Doc();
    a.getText('t').insert(0, 'Hello world');
    const fromA = Y.encodeStateAsUpdate(a);
    const b = new Y.Doc();
    Y.applyUpdate(b, fromA);
    const before = Y.encodeStateVector(b);
    b.getText('t').insert(5, ', dear');
    b.getText('t').delete(12, 5);
    const fromB = Y.encodeStateAsUpdate(b, before);

    const server = new Y.Doc();
    Y.applyUpdate(server, fromB);
    expect(server.store.pendingStructs).not.toBeNull();
    expect(server.store.pendingDs).not.toBeNull();

    const restored = new Y.Doc();
    Y.applyUpdate(restored, encodeDocumentState(server));
    Y.applyUpdate(restored, fromA);
    expect(restored.getText('t').toString()).toBe('Hello, dear ');
  });
});
