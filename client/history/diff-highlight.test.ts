import { describe, expect, it } from 'vitest';
import { diffBlocks, type DiffBlock } from '../../server/history/version-diff.js';
import { planHighlights } from './diff-highlight.js';

const paragraphs = (...texts: string[]): DiffBlock[] => texts.map((text) => ({ type: 'paragraph', text }));

describe('planHighlights (diffs made by the server’s diffBlocks)', () => {
  it('marks blocks only in the version as added and leaves equal ones alone', () => {
    const plan = planHighlights(diffBlocks(paragraphs('one', 'two', 'three'), paragraphs('one', 'three')));
    expect([...plan.marks]).toEqual([[1, { kind: 'added' }]]);
    expect(plan.removedAfter.size).toBe(0);
  });

  it('gives a block changed in place its word-level parts, from the current text to the version’s', () => {
    const plan = planHighlights(diffBlocks(paragraphs('intro', 'three little pigs'), paragraphs('intro', 'three big pigs')));
    const mark = plan.marks.get(1);
    expect(mark?.kind).toBe('changed');
    const parts = mark?.kind === 'changed' ? mark.parts : [];
    expect(parts.filter((p) => p.op === 'added').map((p) => p.text.trim())).toEqual(['little']);
    expect(parts.filter((p) => p.op === 'removed').map((p) => p.text.trim())).toEqual(['big']);
    expect(parts.map((p) => (p.op === 'removed' ? '' : p.text)).join('')).toBe('three little pigs');
  });

  it('places blocks only in the current document after the version block their kept predecessor became', () => {
    // Current: A, X, B, Y, C; version: A, B, new, C. X follows A (version 0), Y follows B (version 1).
    const plan = planHighlights(diffBlocks(paragraphs('A', 'B', 'brand new words', 'C'), paragraphs('A', 'X', 'B', 'Y', 'C')));
    expect(plan.removedAfter.get(0)).toEqual(['X']);
    expect(plan.removedAfter.get(1)).toEqual(['Y']);
    expect(plan.marks.get(2)).toEqual({ kind: 'added' });
  });

  it('places a removed first block before everything (-1)', () => {
    const plan = planHighlights(diffBlocks(paragraphs('B', 'C'), paragraphs('gone first', 'B', 'C')));
    expect([...plan.removedAfter]).toEqual([[-1, ['gone first']]]);
    expect(plan.marks.size).toBe(0);
  });
});
