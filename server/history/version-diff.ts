/**
 * What changed between two states of a document, readable and easy to highlight: both are
 * turned into their list of blocks (every text block in document order, as `format=text` prints
 * one per line; leaf blocks such as a horizontal rule count too, with empty text), the lists are
 * diffed (jsdiff `diffArrays`), and within a run of removed blocks next to a run of added ones,
 * blocks of the same type sharing at least half their words are paired, in order, as changes in
 * place with a word-level diff (jsdiff `diffWords`); the rest are added or removed.
 *
 * `index` is a block's position in the version's list, `againstIndex` in the other one's: a
 * client rendering either side can mark exactly those blocks.
 */
import { diffArrays, diffWords } from 'diff';
import type { Node as PMNode } from '@tiptap/pm/model';
import { getText, getTextSerializersFromSchema } from '@tiptap/core';
import { getEditorSchema } from '../../shared/editor-schema.js';

export interface DiffBlock {
  type: string;
  text: string;
}

export type DiffPart = { text: string; op: 'equal' | 'added' | 'removed' };

export interface VersionDiff {
  /** Blocks the version has and the other state lacks. */
  added: Array<DiffBlock & { index: number }>;
  /** Blocks the other state has and the version lacks. */
  removed: Array<DiffBlock & { againstIndex: number }>;
  /** Blocks changed in place: the word-level parts read from the other state to the version. */
  changes: Array<{ index: number; againstIndex: number; type: string; parts: DiffPart[] }>;
  /** Block counts: the version's, the other state's, and those equal in both. */
  blocks: { version: number; against: number; unchanged: number };
}

export function documentBlocks(node: PMNode): DiffBlock[] {
  const serializers = getTextSerializersFromSchema(getEditorSchema());
  const blocks: DiffBlock[] = [];
  node.descendants((child) => {
    if (child.isTextblock) {
      blocks.push({ type: child.type.name, text: getText(child, { blockSeparator: '\n', textSerializers: serializers }) });
      return false;
    }
    if (child.isBlock && child.isLeaf) blocks.push({ type: child.type.name, text: '' });
    return true;
  });
  return blocks;
}

/** The diff from `against` (the other state) to `version`. */
export function diffBlocks(version: DiffBlock[], against: DiffBlock[]): VersionDiff {
  const key = (block: DiffBlock): string => `${block.type}\u0000${block.text}`;
  const result: VersionDiff = { added: [], removed: [], changes: [], blocks: { version: version.length, against: against.length, unchanged: 0 } };
  let index = 0;
  let againstIndex = 0;
  let removedRun: number[] = [];
  let addedRun: number[] = [];
  const flush = (): void => {
    const pairs = pairSimilar(removedRun.map((i) => against[i]!), addedRun.map((i) => version[i]!));
    const pairedRemoved = new Set<number>();
    const pairedAdded = new Set<number>();
    for (const [r, a] of pairs) {
      pairedRemoved.add(r);
      pairedAdded.add(a);
      const before = against[removedRun[r]!]!;
      const after = version[addedRun[a]!]!;
      const parts = diffWords(before.text, after.text).map((change): DiffPart => ({ text: change.value, op: change.added ? 'added' : change.removed ? 'removed' : 'equal' }));
      result.changes.push({ index: addedRun[a]!, againstIndex: removedRun[r]!, type: after.type, parts });
    }
    removedRun.forEach((i, r) => {
      if (!pairedRemoved.has(r)) result.removed.push({ ...against[i]!, againstIndex: i });
    });
    addedRun.forEach((i, a) => {
      if (!pairedAdded.has(a)) result.added.push({ ...version[i]!, index: i });
    });
    removedRun = [];
    addedRun = [];
  };
  for (const change of diffArrays(against.map(key), version.map(key))) {
    if (change.removed) {
      for (let i = 0; i < change.count; i++) removedRun.push(againstIndex++);
    } else if (change.added) {
      for (let i = 0; i < change.count; i++) addedRun.push(index++);
    } else {
      flush();
      index += change.count;
      againstIndex += change.count;
      result.blocks.unchanged += change.count;
    }
  }
  flush();
  return result;
}

/** Beyond this many candidate pairs in one run, blocks are not paired (a rewrite, not an edit). */
const MAX_PAIRING_WORK = 40_000;
const MIN_SIMILARITY = 0.5;

/** How alike two blocks' texts are, 0 to 1. */
export type Similarity = (a: string, b: string) => number;

/** Index pairs [removed, added], both ascending, of same-type blocks whose texts are at least `minimum` alike. */
export function pairSimilar(removed: DiffBlock[], added: DiffBlock[], measure: Similarity = sharedWords, minimum = MIN_SIMILARITY): Array<[number, number]> {
  if (removed.length * added.length > MAX_PAIRING_WORK) return [];
  const pairs: Array<[number, number]> = [];
  let nextAdded = 0;
  removed.forEach((block, r) => {
    for (let a = nextAdded; a < added.length; a++) {
      if (added[a]!.type !== block.type || measure(block.text, added[a]!.text) < minimum) continue;
      pairs.push([r, a]);
      nextAdded = a + 1;
      return;
    }
  });
  return pairs;
}

/** Words in both over words in either (Jaccard; 1 for two empty blocks): for reading, blocks must be mostly alike. */
export function sharedWords(a: string, b: string): number {
  const words = (text: string): Set<string> => new Set(text.split(/\s+/).filter((w) => w !== ''));
  const [x, y] = [words(a), words(b)];
  if (x.size === 0 && y.size === 0) return 1;
  let shared = 0;
  for (const word of x) if (y.has(word)) shared++;
  return shared / (x.size + y.size - shared);
}

/**
 * Common prefix plus common suffix over the shorter text (1 when either is empty): a block
 * someone typed into, at one place or at its ends, still matches what it was.
 */
export function sharedEnds(a: string, b: string): number {
  const shorter = Math.min(a.length, b.length);
  if (shorter === 0) return 1;
  let prefix = 0;
  while (prefix < shorter && a[prefix] === b[prefix]) prefix++;
  let suffix = 0;
  while (suffix < shorter - prefix && a[a.length - 1 - suffix] === b[b.length - 1 - suffix]) suffix++;
  return (prefix + suffix) / shorter;
}
