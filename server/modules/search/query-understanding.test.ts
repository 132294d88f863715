import { describe, expect, it } from 'vitest';
import { defaultDictionary } from './dictionary';
import { MemorySearchIndex } from './memory-index';
import { chineseNumber, understandQuery } from './query-understanding';
import type { ProductDocument } from './search.port';
import { parseQuery } from './tokenizer';

describe('understandQuery: everyday words → what products say', () => {
  it.each([
    ['汽车贷款', '车贷'],
    ['买车', '车贷'],
    ['车贷款', '车贷'],
    ['房贷', '房抵贷'],
    ['房子抵押', '房抵贷'],
    ['房产抵押', '房抵贷'],
    ['住房公积金', '公积金'],
    ['公积金贷款', '公积金'],
    ['公积金信用贷款', '公积金 信用贷'],
  ])('%s → %s', (q, text) => {
    const u = understandQuery(q);
    expect(u.text).toBe(text);
    expect(u.understood.length).toBeGreaterThan(0);
    expect(u.filters).toEqual({});
  });

  it.each([
    ['低息贷款', 'apr', 'low-apr'],
    ['低利率', 'apr', 'low-apr'],
    ['利息低', 'apr', 'low-apr'],
    ['急用钱', 'speed', 'fast'],
    ['当天到账', 'speed', 'fast'],
    ['秒到', 'speed', 'fast'],
  ] as const)('%s asks for an order (%s), not for the words', (q, sort, intent) => {
    const u = understandQuery(q);
    expect(u).toMatchObject({ text: '', sort, intents: [intent] });
  });

  it.each(['上班族', '工薪', '工薪族'])('%s keeps products an employee may apply for', (q) => {
    expect(understandQuery(q)).toMatchObject({ text: '', filters: { employment: '上班族' }, intents: ['employee'] });
    expect(understandQuery(q).sort).toBeUndefined();
  });

  it('reads nothing into words products already say', () => {
    // 速融应急借 is a product: 急借 (急 starts no word there: 速/融/应急/借) is not 急用钱
    for (const q of ['房抵贷', '车贷', '公积金', '信用贷', '捷驰汽车金融', '速融应急借']) expect(understandQuery(q)).toEqual({ text: q, filters: {}, intents: [], understood: [] });
  });

  it('leaves words it does not know as typed, and reads nothing into them', () => {
    expect(understandQuery('闪电贷')).toEqual({ text: '闪电贷', filters: {}, intents: [], understood: [] });
    expect(understandQuery('贷款')).toEqual({ text: '贷款', filters: {}, intents: [], understood: [] });
    expect(understandQuery('ＸＹＺ  Bank')).toMatchObject({ text: 'xyz bank', understood: [] });
  });

  it('keeps the rest of the words beside what it understood', () => {
    expect(understandQuery('华商 买车 借5万')).toMatchObject({ text: '华商 车贷', filters: { amountFen: 5_000_000 } });
  });

  it('says in words what it read, in the order typed', () => {
    expect(understandQuery('买车 借5万 3年').understood).toEqual([
      { from: '买车', to: '车贷' },
      { from: '5万', to: '金额 5万' },
      { from: '3年', to: '期限 36 期' },
    ]);
  });
});

describe('understandQuery: amounts and terms become filters', () => {
  it.each([
    ['借5万 3年', 5_000_000, 36],
    ['借5万3年', 5_000_000, 36],
    ['五万', 5_000_000, undefined],
    ['5万元', 5_000_000, undefined],
    ['5w', 5_000_000, undefined],
    ['50k', 5_000_000, undefined],
    ['50000', 5_000_000, undefined],
    ['50000元', 5_000_000, undefined],
    ['二十万 半年', 20_000_000, 6],
    ['借3千', 300_000, undefined],
    ['1.5万', 1_500_000, undefined],
    ['12期', undefined, 12],
    ['一年', undefined, 12],
    ['两年', undefined, 24],
    ['36个月', undefined, 36],
    ['借十万分24期', 10_000_000, 24],
  ])('%s → amount %s fen, term %s', (q, amountFen, termMonths) => {
    const u = understandQuery(q);
    expect(u.filters.amountFen).toBe(amountFen);
    expect(u.filters.termMonths).toBe(termMonths);
    expect(u.text).toBe('');
  });

  it('keeps a number that is no amount or term in the text', () => {
    expect(understandQuery('12').filters).toEqual({});
    expect(understandQuery('12').text).toBe('12');
  });

  it('reads Chinese numerals', () => {
    expect([chineseNumber('五'), chineseNumber('十'), chineseNumber('十五'), chineseNumber('二十'), chineseNumber('三百'), chineseNumber('两千')]).toEqual([5, 10, 15, 20, 300, 2000]);
    expect(chineseNumber('抵押')).toBeUndefined();
  });
});

describe('understandQuery: negations', () => {
  it.each(['免抵押', '无抵押', '不要抵押', '无需抵押', '不用抵押', '免抵押贷款', '无抵押贷款'])('%s is the whole phrase 免抵押, never 抵押', (q) => {
    const u = understandQuery(q);
    expect(u.text).toBe('"免抵押"');
    const parsed = parseQuery(u.text);
    expect(parsed.required).toEqual([{ text: '免抵押', script: 'cjk', alternatives: [['免抵', '抵押']] }]);
  });

  it('抵押 leaves out the products that say 免抵押', () => {
    const u = understandQuery('抵押');
    expect(u.text).toBe('抵押 -免抵押');
    expect(u.understood).toEqual([{ from: '抵押', to: '不含“免抵押”' }]);
    expect(parseQuery(u.text).excluded).toEqual([['免抵', '抵押']]);
  });

  it('a dictionary is versioned', () => {
    expect(defaultDictionary.version).toBeGreaterThanOrEqual(1);
  });
});

describe('the memory index honours the rewritten text', () => {
  const doc = (id: string, name: string, tags: string[]): ProductDocument => ({
    id,
    name,
    institutionId: 'i',
    institutionName: '测试银行',
    institutionFullName: '测试银行股份有限公司',
    category: '信用贷',
    summary: '',
    tags,
    minAmountFen: 100_000,
    maxAmountFen: 10_000_000,
    termOptions: [12],
    repaymentMethods: ['equal_installment'],
    aprMin: 0.1,
    aprMax: 0.2,
    decisionMinutes: 10,
    disbursementHours: 1,
    popularity: 0,
    approvalRate: 0.5,
    eligibility: { minAge: 18, maxAge: 60, minMonthlyIncomeFen: 0, regions: [], employmentTypes: [], studentsExcluded: false },
    updatedAt: '2026-01-01T00:00:00Z',
  });

  it('抵押 finds the secured product only; 免抵押 finds the unsecured one only', async () => {
    const index = new MemorySearchIndex();
    await index.replaceAll([doc('secured', '安居贷', ['抵押贷']), doc('unsecured', '信用快贷', ['免抵押'])]);
    const ids = async (q: string) => (await index.search({ q: understandQuery(q).text, sort: 'relevance', page: 1, pageSize: 10 })).ids;
    expect(await ids('抵押')).toEqual(['secured']);
    expect(await ids('免抵押')).toEqual(['unsecured']);
    expect(await ids('不要抵押')).toEqual(['unsecured']);
  });
});
