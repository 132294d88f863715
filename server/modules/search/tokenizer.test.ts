import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { commonWords, tokenizeQuery } from './tokenizer';

describe('the dictionary jieba loads', () => {
  it('keeps the lines at or above the frequency, whole, and drops the rest', () => {
    const dict = Buffer.from('公积金 556 n\n龘龘 3 x\n征信 32 v\n放款 10\n罕见词 9 n\n');
    expect(commonWords(dict).toString()).toBe('公积金 556 n\n征信 32 v\n放款 10\n');
    expect(commonWords(dict, 100).toString()).toBe('公积金 556 n\n');
  });

  it('copes with a last line without a newline and with lines that carry no frequency', () => {
    expect(commonWords(Buffer.from('装修 437 v\n坏行\n分期 302')).toString()).toBe('装修 437 v\n分期 302\n');
    expect(commonWords(Buffer.alloc(0)).length).toBe(0);
  });

  it('leaves out most of the shipped dictionary but every word of the trade', () => {
    const full = readFileSync(createRequire(import.meta.url).resolve('@node-rs/jieba/dict.txt'));
    const kept = commonWords(full).toString().split('\n');
    const all = full.toString().trim().split('\n');
    expect(kept.length).toBeLessThan(all.length / 3);
    const words = new Set(kept.map((line) => line.split(' ')[0]));
    for (const w of ['公积金', '装修', '分期', '抵押', '利息', '额度', '放款', '征信', '工薪', '社保', '个体户', '营业执照', '周转']) expect(words).toContain(w);
  });

  it('segments the trade the way the full dictionary does', () => {
    expect(tokenizeQuery('公积金信用贷')).toEqual(expect.arrayContaining(['公积金', '信用']));
    expect(tokenizeQuery('个体户营业执照周转')).toEqual(expect.arrayContaining(['个体户', '营业执照', '周转']));
  });
});
