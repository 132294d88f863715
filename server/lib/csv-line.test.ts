import { describe, expect, it } from 'vitest';
import { splitCsvLine } from './csv-line';

describe('splitCsvLine', () => {
  it('splits quoted CSV fields, with "" for a quote', () => {
    expect(splitCsvLine('a,"b ""x"", c",d')).toEqual(['a', 'b "x", c', 'd']);
    expect(splitCsvLine('a,,')).toEqual(['a', '', '']);
  });

  it('splits tab-separated text as pasted from a spreadsheet', () => {
    expect(splitCsvLine('2026-04-01\t8,884.88\t1,000.00', '\t')).toEqual(['2026-04-01', '8,884.88', '1,000.00']);
  });

  it('refuses an open quote or text after a closing one', () => {
    expect(splitCsvLine('a,"b')).toBeNull();
    expect(splitCsvLine('"a"b,c')).toBeNull();
  });
});
