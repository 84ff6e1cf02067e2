import { describe, expect, it } from 'vitest';
import { isValidDocName, MAX_DOC_NAME_LENGTH } from './doc-name.js';

describe('isValidDocName', () => {
  it('accepts the allowlisted alphabet', () => {
    for (const name of ['a', 'meeting-notes', 'Q3_plan.v2', '0', 'x'.repeat(MAX_DOC_NAME_LENGTH)]) {
      expect(isValidDocName(name), name).toBe(true);
    }
  });

  it('refuses traversal, separators, control bytes, wildcards and oversize names', () => {
    const bad = ['', '.', '..', '../x', 'a/b', 'a\0b', 'draft*', 'a b', 'ü', 'x'.repeat(MAX_DOC_NAME_LENGTH + 1), 'x'.repeat(10_000)];
    for (const name of bad) {
      expect(isValidDocName(name), JSON.stringify(name.slice(0, 20))).toBe(false);
    }
  });
});
