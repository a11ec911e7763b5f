import { describe, expect, it } from 'vitest';
import { escapeJsonPointerToken, resolveJsonPointer } from '../../src/tools/json-pointer.js';

const doc = { a: { 'b/c': 1, 'd~e': 2, list: [10, 20] }, '': 'empty key' };

describe('resolveJsonPointer', () => {
  it('returns the whole document for the empty pointer', () => {
    expect(resolveJsonPointer(doc, '')).toBe(doc);
  });

  it('unescapes ~1 and ~0 in tokens', () => {
    expect([resolveJsonPointer(doc, '/a/b~1c'), resolveJsonPointer(doc, '/a/d~0e')]).toEqual([
      1, 2,
    ]);
  });

  it('indexes arrays with decimal indices only', () => {
    expect([resolveJsonPointer(doc, '/a/list/1'), resolveJsonPointer(doc, '/a/list/01')]).toEqual([
      20,
      undefined,
    ]);
  });

  it('never reaches prototype properties', () => {
    expect(resolveJsonPointer(doc, '/a/constructor')).toBeUndefined();
  });

  it('returns undefined for a missing path', () => {
    expect(resolveJsonPointer(doc, '/a/nope/deeper')).toBeUndefined();
  });

  it('resolves an empty key', () => {
    expect(resolveJsonPointer(doc, '/')).toBe('empty key');
  });
});

describe('escapeJsonPointerToken', () => {
  it('escapes ~ before /', () => {
    expect(escapeJsonPointerToken('a~/b')).toBe('a~0~1b');
  });
});
