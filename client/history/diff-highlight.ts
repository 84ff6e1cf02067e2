/**
 * Turns the diff route's answer (from the current document to a version) into marks on the
 * version's preview: the preview shows the version's blocks in order (block `index` of the
 * diff), so each block is left alone, marked as only in the version, or rewritten from its
 * word-level parts; blocks only in the current document are placed after the version block
 * their nearest kept predecessor became (-1: before the first).
 */
import type { DiffOp, VersionDiff } from './history-api.js';

export type BlockMark = { kind: 'added' } | { kind: 'changed'; parts: Array<{ text: string; op: DiffOp }> };

export interface HighlightPlan {
  /** By the version's block index. */
  marks: Map<number, BlockMark>;
  /** Texts of blocks only in the current document, by the version block index they follow (-1: at the start). */
  removedAfter: Map<number, string[]>;
}

export function planHighlights(diff: VersionDiff): HighlightPlan {
  const marks = new Map<number, BlockMark>();
  for (const block of diff.added) marks.set(block.index, { kind: 'added' });
  for (const change of diff.changes) marks.set(change.index, { kind: 'changed', parts: change.parts });

  // Where each current block went in the version: unchanged blocks pair up in order on both
  // sides (those neither added, removed nor changed), changed ones say so.
  const toVersion = new Map<number, number>();
  for (const change of diff.changes) toVersion.set(change.againstIndex, change.index);
  const removed = new Set(diff.removed.map((block) => block.againstIndex));
  const keptAgainst: number[] = [];
  for (let i = 0; i < diff.blocks.against; i++) if (!removed.has(i) && !toVersion.has(i)) keptAgainst.push(i);
  const keptVersion: number[] = [];
  for (let i = 0; i < diff.blocks.version; i++) if (!marks.has(i)) keptVersion.push(i);
  keptAgainst.forEach((againstIndex, n) => {
    const index = keptVersion[n];
    if (index !== undefined) toVersion.set(againstIndex, index);
  });

  const removedAfter = new Map<number, string[]>();
  for (const block of [...diff.removed].sort((a, b) => a.againstIndex - b.againstIndex)) {
    let anchor = -1;
    for (let i = block.againstIndex - 1; i >= 0; i--) {
      const index = toVersion.get(i);
      if (index !== undefined) {
        anchor = index;
        break;
      }
    }
    const list = removedAfter.get(anchor) ?? [];
    list.push(block.text);
    removedAfter.set(anchor, list);
  }
  return { marks, removedAfter };
}
