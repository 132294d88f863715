import { describe, expect, it } from 'vitest';
import { splitCsvLine } from '../lib/csv-line';
import { csvDocument, csvYuan, neutralise } from './csv';

describe('the CSV writer neutralises formulas (OWASP: prefix a single quote)', () => {
  it.each([
    ['=HYPERLINK("//e.x")', '\'=HYPERLINK("//e.x")'],
    ['+86 138', "'+86 138"],
    ['-1+2', "'-1+2"],
    ['-12.50', "'-12.50"], // typed text that looks like money is still text
    ['@SUM(A1:A9)', "'@SUM(A1:A9)"],
    ['\t=1+1', "'\t=1+1"],
    ['\r=1+1', "'\r=1+1"],
    ['＝1+1', "'＝1+1"],
    ['＋1', "'＋1"],
    ['－1', "'－1"],
    ['＠SUM(1)', "'＠SUM(1)"],
  ])('%j is written as %j', (text, written) => {
    expect(neutralise(text)).toBe(written);
  });

  it.each(['上海', 'a=b', '1+1', 'x@y.example', '', "'quoted", '12.50%'])('%j is left as it is', (text) => {
    expect(neutralise(text)).toBe(text);
  });

  it('writes computed numbers as numbers: money with two decimals, negative amounts without a quote', () => {
    expect(String(csvYuan(-1250))).toBe('-12.50');
    expect(String(csvYuan(5))).toBe('0.05');
    expect(String(csvYuan(-5))).toBe('-0.05');
    expect(String(csvYuan(0))).toBe('0.00');
    expect(String(csvYuan(123_456_789))).toBe('1234567.89');
    const text = csvDocument([
      ['城市', '金额(元)', '笔数'],
      ['=HYPERLINK("//e.x")', csvYuan(-1250), -3],
      ['@evil', csvYuan(42_000), 0],
      [null, undefined, ''],
    ]);
    expect(text).toBe('\uFEFF城市,金额(元),笔数\n"\'=HYPERLINK(""//e.x"")",-12.50,-3\n\'@evil,420.00,0\n,,\n');
    const cells = text.slice(1).trim().split('\n').map((line) => splitCsvLine(line)!);
    expect(cells[1]).toEqual(['\'=HYPERLINK("//e.x")', '-12.50', '-3']);
  });

  it('neutralises header cells too', () => {
    expect(csvDocument([['=title', '-note']])).toBe("\uFEFF'=title,'-note\n");
  });
});
