import { describe, expect, it } from 'vitest';
import { inputReasons, MAX_INPUT_DEPTH, unstorableFields } from './safe-input';

const nested = (depth: number): unknown => JSON.parse('['.repeat(depth) + ']'.repeat(depth));

describe('unstorableFields', () => {
  it('passes ordinary input, Chinese and emoji (a surrogate pair) included', () => {
    expect(unstorableFields({ name: '王小明', note: '好的 😀', items: [{ amount: 1e6, ok: true, none: null }] })).toBeUndefined();
    expect(unstorableFields(undefined)).toBeUndefined();
    expect(unstorableFields('plain')).toBeUndefined();
  });

  it('names each field holding a NUL byte or an unpaired surrogate, as zod names fields', () => {
    expect(unstorableFields({ body: 'a\u0000b', products: [{ purpose: 'ok' }, { purpose: 'x\ud800' }], tail: '\udc00' })).toEqual({
      body: inputReasons.nul,
      'products.1.purpose': inputReasons.surrogate,
      tail: inputReasons.surrogate,
    });
  });

  it('names a key that is itself unstorable, escaped', () => {
    expect(unstorableFields({ 'a\u0000': 1 })).toEqual({ 'a\\u0000': inputReasons.nul });
  });

  it(`allows ${MAX_INPUT_DEPTH} levels of nesting, refuses more by its top-level field, and walks 10,000 levels without recursion`, () => {
    expect(unstorableFields(nested(MAX_INPUT_DEPTH))).toBeUndefined();
    expect(unstorableFields(nested(MAX_INPUT_DEPTH + 1))).toEqual({ 0: inputReasons.depth });
    expect(unstorableFields({ status: nested(10_000) })).toEqual({ status: inputReasons.depth });
  });

  it('names at most ten fields', () => {
    const many = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`f${i}`, '\u0000']));
    expect(Object.keys(unstorableFields(many)!)).toEqual(Array.from({ length: 10 }, (_, i) => `f${i}`));
  });
});
