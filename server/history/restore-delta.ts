/**
 * The edit that turns a document's live content into a version's, computed on a private copy of
 * the live state; the delta is what that added to the copy. Applied to the live document, it
 * merges like any concurrent edit: what people type meanwhile stays.
 *
 * The top-level blocks are aligned first, so that a block someone may be typing in is edited in
 * place rather than deleted and written anew (their keystrokes would land in a deleted block):
 * blocks equal in both are kept, then within each gap blocks of the same type sharing words are
 * paired when they share most of their beginning and end (history/version-diff.ts `pairSimilar`,
 * `sharedEnds`). Paired blocks are rewritten in place with
 * y-prosemirror's `updateYFragment` (from @tiptap/y-tiptap, as the editor binding uses it, which
 * diffs their text); unpaired live blocks are deleted and unpaired version blocks inserted. Other
 * shared types in the document are left as they are.
 */
import * as Y from 'yjs';
import { diffArrays } from 'diff';
import type { Node as PMNode } from '@tiptap/pm/model';
import { updateYFragment, yXmlFragmentToProseMirrorRootNode } from '@tiptap/y-tiptap';
import { updateToProseMirror } from '../../shared/document-content.js';
import { DOCUMENT_FIELD, getEditorSchema } from '../../shared/editor-schema.js';
import { pairSimilar, sharedEnds } from './version-diff.js';

const freshMeta = () => ({ mapping: new Map(), isOMark: new Map() });

export function computeRestoreDelta(liveState: Uint8Array, versionState: Uint8Array): Uint8Array {
  const target = updateToProseMirror(versionState);
  const copy = new Y.Doc({ gc: true });
  try {
    Y.applyUpdate(copy, liveState);
    const before = Y.encodeStateVector(copy);
    const fragment = copy.getXmlFragment(DOCUMENT_FIELD);
    const live = yXmlFragmentToProseMirrorRootNode(fragment, getEditorSchema());
    const blocks = fragment.toArray();
    copy.transact(() => {
      if (blocks.length === live.childCount && blocks.every((block) => block instanceof Y.XmlElement)) {
        rewriteAligned(copy, fragment, blocks, children(live), children(target));
      } else {
        updateYFragment(copy, fragment, target, freshMeta());
      }
    });
    return Y.encodeStateAsUpdate(copy, before);
  } finally {
    copy.destroy();
  }
}

function children(node: PMNode): PMNode[] {
  const list: PMNode[] = [];
  node.forEach((child) => list.push(child));
  return list;
}

/** Pairs [live index, target index], ascending: equal blocks, then similar ones within the gaps; `equal` holds the live indexes of equal ones. */
function alignBlocks(live: PMNode[], target: PMNode[], equal: Set<number>): Array<[number, number]> {
  const key = (node: PMNode): string => JSON.stringify(node.toJSON());
  const pairs: Array<[number, number]> = [];
  let l = 0;
  let t = 0;
  let gapLive: number[] = [];
  let gapTarget: number[] = [];
  const pairGap = (): void => {
    const asBlock = (node: PMNode) => ({ type: node.type.name, text: node.textContent });
    for (const [a, b] of pairSimilar(gapLive.map((i) => asBlock(live[i]!)), gapTarget.map((i) => asBlock(target[i]!)), sharedEnds)) {
      pairs.push([gapLive[a]!, gapTarget[b]!]);
    }
    gapLive = [];
    gapTarget = [];
  };
  for (const change of diffArrays(live.map(key), target.map(key))) {
    if (change.removed) for (let i = 0; i < change.count; i++) gapLive.push(l++);
    else if (change.added) for (let i = 0; i < change.count; i++) gapTarget.push(t++);
    else {
      pairGap();
      for (let i = 0; i < change.count; i++) {
        equal.add(l);
        pairs.push([l++, t++]);
      }
    }
  }
  pairGap();
  return pairs;
}

function rewriteAligned(copy: Y.Doc, fragment: Y.XmlFragment, blocks: Y.XmlElement[], live: PMNode[], target: PMNode[]): void {
  const equal = new Set<number>();
  const pairs = alignBlocks(live, target, equal);
  const liveToTarget = new Map(pairs);
  // Paired blocks first, in place (their Y types stay, so concurrent typing in them stays); equal ones need nothing.
  for (const [l, t] of pairs) if (!equal.has(l)) updateYFragment(copy, blocks[l]!, target[t]!, freshMeta());
  // Unpaired live blocks go, last first so indexes hold.
  for (let l = blocks.length - 1; l >= 0; l--) if (!liveToTarget.has(l)) fragment.delete(l, 1);
  // Unpaired version blocks come in at their place: an empty element of the type, then filled.
  const paired = new Set(pairs.map(([, t]) => t));
  target.forEach((node, t) => {
    if (paired.has(t)) return;
    const element = new Y.XmlElement(node.type.name);
    fragment.insert(t, [element]);
    updateYFragment(copy, element, node, freshMeta());
  });
}
