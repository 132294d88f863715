import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ageFromIdNumber, idCheckCharacter, idNumberFacts, idNumberProblem } from './id-number';

describe('resident ID numbers', () => {
  it('accepts the GB 11643 example and known-valid numbers', () => {
    expect(idNumberProblem('11010519491231002X')).toBeNull(); // the standard's own example
    expect(idNumberProblem('110101199003074258')).toBeNull();
    expect(idNumberProblem('11010519491231002x')).toBeNull(); // lower-case x
  });

  it('refuses wrong length, bad dates and a wrong check character, saying which', () => {
    expect(idNumberProblem('1101051949123100')).toContain('18 位');
    expect(idNumberProblem('110105194913310021')).toContain('出生日期');
    expect(idNumberProblem('110105199002300021')).toContain('出生日期'); // 30 February
    expect(idNumberProblem('110105194912310021')).toContain('校验位');
    expect(idNumberProblem('010105194912310021')).toContain('地区码');
  });

  it('reads birth date, sex and age', () => {
    expect(idNumberFacts('11010519491231002X')).toEqual({ birthDate: '1949-12-31', sex: 'female', regionCode: '110105' });
    expect(ageFromIdNumber('110101199003074258', new Date('2026-03-06T16:30:00Z'))).toBe(36); // 7 March in Shanghai
    expect(ageFromIdNumber('110101199003074258', new Date('2026-03-06T15:30:00Z'))).toBe(35); // still 6 March
  });

  it('any 17 digits with a valid date get exactly one valid check character', () => {
    fc.assert(
      fc.property(fc.integer({ min: 110000, max: 659999 }), fc.date({ min: new Date('1950-01-01'), max: new Date('2005-12-31'), noInvalidDate: true }), fc.integer({ min: 0, max: 999 }), (region, birth, seq) => {
        const date = birth.toISOString().slice(0, 10).replaceAll('-', '');
        const first17 = `${region}${date}${String(seq).padStart(3, '0')}`;
        const good = first17 + idCheckCharacter(first17);
        expect(idNumberProblem(good)).toBeNull();
        const wrong = '0123456789X'.split('').filter((c) => c !== good[17]);
        for (const c of wrong) expect(idNumberProblem(first17 + c)).not.toBeNull();
      }),
      { numRuns: 200 },
    );
  });
});
