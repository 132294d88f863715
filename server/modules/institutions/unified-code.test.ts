import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { unifiedCodeCheckChar, unifiedCodeProblem } from './unified-code';

describe('unified social credit code', () => {
  it('accepts published codes and computes their check character independently', () => {
    // codes printed on public business licences
    for (const code of ['91350100M000100Y43', '91110000802100433B', '91440300708461136T']) {
      expect(unifiedCodeProblem(code), code).toBeUndefined();
    }
    expect(unifiedCodeCheckChar('91350100M000100Y4')).toBe('3');
  });

  it('names what is wrong', () => {
    expect(unifiedCodeProblem('91350100M000100Y4')).toMatch(/18 位/);
    expect(unifiedCodeProblem('91350100M000100Y44')).toMatch(/校验位/);
    expect(unifiedCodeProblem('91350100M000100YI3')).toMatch(/无效字符/);
    expect(unifiedCodeProblem('91ABCDEFM000100Y43')).toMatch(/行政区划/);
  });

  it('rejects any single-character change of a valid code', () => {
    const valid = '91110000802100433B';
    const alphabet = '0123456789ABCDEFGHJKLMNPQRTUWXY';
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 17 }), fc.constantFrom(...alphabet), (pos, ch) => {
        fc.pre(valid[pos] !== ch);
        const changed = valid.slice(0, pos) + ch + valid.slice(pos + 1);
        expect(unifiedCodeProblem(changed)).toBeDefined();
      }),
    );
  });
});
