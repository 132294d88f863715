import { describe, expect, it } from 'vitest';
import { defaultDictionary } from './dictionary';
import { dictionaryEntriesSchema, formatDictionaryText, parseDictionaryText } from './dictionary-text';

describe('the dictionary as one entry per line', () => {
  it('the code default passes the rules and reads back as written', () => {
    expect(dictionaryEntriesSchema.safeParse(defaultDictionary.entries).success).toBe(true);
    const text = formatDictionaryText(defaultDictionary.entries);
    expect(text.split('\n')[0]).toBe('negation: 免抵押, 无抵押, 不要抵押, 无需抵押, 不用抵押, 不需要抵押, 不需抵押, 没有抵押, 没抵押, 零抵押, 免抵押贷款, 无抵押贷款 => 免抵押 != 抵押');
    const read = parseDictionaryText(text);
    expect(read.errors).toEqual([]);
    expect(read.entries).toEqual(defaultDictionary.entries);
  });

  it('reads Chinese kind names and punctuation, skips comments and blank lines, and knows each entry’s line', () => {
    const read = parseDictionaryText('# 车\n\n同义：买车，购车、汽车贷款 => 车贷\n意图: 急用钱 => fast\n否定: 无抵押 => 免抵押 ≠ 抵押');
    expect(read.errors).toEqual([]);
    expect(read.entries).toEqual([
      { kind: 'synonym', words: ['买车', '购车', '汽车贷款'], to: '车贷' },
      { kind: 'intent', words: ['急用钱'], intent: 'fast' },
      { kind: 'negation', words: ['无抵押'], to: '免抵押', negates: '抵押' },
    ]);
    expect(read.lines).toEqual([3, 4, 5]);
  });

  it('says which line cannot be read', () => {
    const read = parseDictionaryText('synonym: 买车 => 车贷\n买车 车贷\nalias: 甲 => 乙\nnegation: 无抵押 => 免抵押\nsynonym: a => b => c');
    expect(read.errors.map((e) => e.line)).toEqual([2, 3, 4, 5]);
  });

  it('refuses unknown kinds and intents, empty words, and a word in two entries', () => {
    const issues = (entries: unknown) => {
      const r = dictionaryEntriesSchema.safeParse(entries);
      return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    };
    expect(issues([{ kind: 'alias', words: ['甲'], to: '乙' }])[0]).toMatch(/^0\.kind: 类型只能是/);
    expect(issues([{ kind: 'intent', words: ['急'], intent: 'cheap' }])[0]).toMatch(/^0\.intent: 意图只能是 fast、low-apr、employee/);
    expect(issues([{ kind: 'synonym', words: [' '], to: '车贷' }])).toEqual(['0.words.0: 词不能为空']);
    expect(issues([{ kind: 'synonym', words: [], to: '车贷' }])).toEqual(['0.words: 至少要有一个词']);
    expect(issues([{ kind: 'synonym', words: ['买车'], to: '车贷' }, { kind: 'intent', words: ['买车'], intent: 'fast' }])).toEqual(['1.words.0: “买车”已在第 1 条中出现，一个词只能属于一条']);
    expect(issues([{ kind: 'synonym', words: ['ＡＢ', 'ab'], to: '车贷' }])).toEqual(['0.words.1: “ab”在本条中重复']);
    expect(issues([])).toEqual([': 词典至少要有一条']);
  });
});
