import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { exceedsNestingDepth, MAX_NESTING_DEPTH } from './nesting-depth.js';

/** Appends a chain of `levels` nested elements under `parent`; returns the innermost. */
function nest(parent: Y.XmlFragment | Y.XmlElement, levels: number): Y.XmlElement {
  let current = parent;
  for (let level = 0; level < levels; level++) {
    const child = new Y.XmlElement('blockquote');
    current.insert(current.length, [child]);
    current = child;
  }
  return current as Y.XmlElement;
}

/** What `edit` changes in a copy of `base`, as one update. */
function editOf(base: Y.Doc, edit: (doc: Y.Doc) => void): Uint8Array {
  const copy = new Y.Doc();
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(base));
  const before = Y.encodeStateVector(copy);
  copy.transact(() => edit(copy));
  return Y.encodeStateAsUpdate(copy, before);
}

/** The element `levels` deep along the last child of every level. */
function innermost(doc: Y.Doc, levels: number): Y.XmlElement {
  let current: Y.XmlFragment | Y.XmlElement = doc.getXmlFragment('default');
  for (let level = 0; level < levels; level++) current = current.get(current.length - 1) as Y.XmlElement;
  return current as Y.XmlElement;
}

describe('exceedsNestingDepth', () => {
  it('accepts nesting up to the limit in one update and refuses one level more', () => {
    const doc = new Y.Doc();
    expect(exceedsNestingDepth(doc, editOf(doc, (d) => nest(d.getXmlFragment('default'), MAX_NESTING_DEPTH)))).toBe(false);
    expect(exceedsNestingDepth(doc, editOf(doc, (d) => nest(d.getXmlFragment('default'), MAX_NESTING_DEPTH + 1)))).toBe(true);
  });

  it('counts the depth of the document the update builds on', () => {
    const doc = new Y.Doc();
    Y.applyUpdate(doc, editOf(doc, (d) => nest(d.getXmlFragment('default'), 100)));
    expect(exceedsNestingDepth(doc, editOf(doc, (d) => nest(innermost(d, 100), MAX_NESTING_DEPTH - 100)))).toBe(false);
    expect(exceedsNestingDepth(doc, editOf(doc, (d) => nest(innermost(d, 100), MAX_NESTING_DEPTH - 99)))).toBe(true);
  });

  it('finds the container of an item inserted next to another, as Yjs does, in the document or the update', () => {
    const doc = new Y.Doc();
    Y.applyUpdate(doc, editOf(doc, (d) => nest(d.getXmlFragment('default'), MAX_NESTING_DEPTH - 1)));
    // A sibling after the innermost element: no parent written, only its left neighbour.
    const sibling = (d: Y.Doc, levels: number): void => {
      const container = innermost(d, MAX_NESTING_DEPTH - 2);
      const element = new Y.XmlElement('paragraph');
      container.insert(container.length, [element]);
      nest(element, levels);
    };
    expect(exceedsNestingDepth(doc, editOf(doc, (d) => sibling(d, 1)))).toBe(false);
    expect(exceedsNestingDepth(doc, editOf(doc, (d) => sibling(d, 2)))).toBe(true);
    // Left neighbours within the update: many siblings typed one after another, then nested.
    const row = (d: Y.Doc, levels: number): void => {
      const container = innermost(d, MAX_NESTING_DEPTH - 2);
      for (let i = 0; i < 50; i++) container.insert(container.length, [new Y.XmlElement('paragraph')]);
      nest(container.get(container.length - 1) as Y.XmlElement, levels);
    };
    expect(exceedsNestingDepth(doc, editOf(doc, (d) => row(d, 1)))).toBe(false);
    expect(exceedsNestingDepth(doc, editOf(doc, (d) => row(d, 2)))).toBe(true);
  });

  it('walks very long chains without overflowing its own stack', () => {
    const doc = new Y.Doc();
    expect(exceedsNestingDepth(doc, editOf(doc, (d) => nest(d.getXmlFragment('default'), 20_000)))).toBe(true);
  });

  it('checks pending structs with the update that would unlock them', () => {
    const builder = new Y.Doc();
    const base = editOf(builder, (d) => nest(d.getXmlFragment('default'), 50));
    Y.applyUpdate(builder, base);
    const deeper = editOf(builder, (d) => nest(innermost(d, 50), 100));
    const server = new Y.Doc();
    // Alone, the deeper part only shows its own 100 levels: accepted, and held pending.
    expect(exceedsNestingDepth(server, deeper)).toBe(false);
    Y.applyUpdate(server, deeper);
    expect(server.store.pendingStructs).not.toBeNull();
    // Its base is shallow, but together they reach 150.
    expect(exceedsNestingDepth(new Y.Doc(), base)).toBe(false);
    expect(exceedsNestingDepth(server, base)).toBe(true);
  });
});
