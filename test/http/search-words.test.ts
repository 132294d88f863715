import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app';

/** Search reads borrowers' words (issue 15): over the demo catalogue, through the JSON API and the products page. */

interface Item {
  id: string;
  name: string;
  category: string;
  summary: string | null;
  tags: string[] | null;
  apr: { min: number };
  amount: { min: string | number; max: string | number };
  termOptions: number[];
  eligibility: { employmentTypes: string[] | null };
  decisionMinutes: number | null;
}

describe('search understands everyday words (demo catalogue)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ data: 'demo' });
  });
  afterAll(() => t?.close());

  const search = async (q: string, extra = ''): Promise<{ items: Item[]; total: number }> => {
    const res = await request(t.app).get(`/api/v1/products?q=${encodeURIComponent(q)}&pageSize=50${extra}`);
    expect(res.status).toBe(200);
    return res.body as { items: Item[]; total: number };
  };
  const says = (p: Item, word: string) => [p.name, p.category, p.summary ?? '', ...(p.tags ?? [])].some((s) => s.includes(word));

  it.each([
    ['汽车贷款', (p: Item) => p.category === '车贷'],
    ['买车', (p: Item) => p.category === '车贷'],
    ['房贷', (p: Item) => p.category === '房抵贷'],
    ['房子抵押', (p: Item) => p.category === '房抵贷'],
    ['住房公积金', (p: Item) => says(p, '公积金')],
    ['公积金信用贷款', (p: Item) => p.name === '公积金信用贷'],
  ])('%s finds what the products call it', async (q, relevant) => {
    const { items } = await search(q);
    expect(items.length).toBeGreaterThan(0);
    expect(items.every(relevant)).toBe(true);
  });

  it.each(['低息贷款', '低利率'])('%s lists products lowest all-in APR first', async (q) => {
    const { items } = await search(q);
    expect(items.length).toBeGreaterThan(0);
    const aprs = items.map((p) => p.apr.min);
    expect(aprs).toEqual([...aprs].sort((a, b) => a - b));
  });

  it('an amount and term in the words price every card and API item, as if typed in the form', async () => {
    const q = encodeURIComponent('买车 借5万 3年');
    const { items } = (await request(t.app).get(`/api/v1/products?q=${q}&pageSize=50`).expect(200)).body as { items: (Item & { price?: unknown })[] };
    expect(items.length).toBeGreaterThan(0);
    const typed = (await request(t.app).get('/api/v1/products?q=%E4%B9%B0%E8%BD%A6&amount=50000&termMonths=36&pageSize=50').expect(200)).body.items as (Item & { price?: unknown })[];
    expect(items.map((i) => i.price)).toEqual(typed.map((i) => i.price));
    expect(items.every((i) => i.price)).toBe(true);
    const page = (await request(t.app).get(`/products?q=${q}`).expect(200)).text;
    expect(page).toContain('data-testid="my-price"');
    expect(page).not.toContain('填写金额和期限');
  });

  it('急用钱 lists the fastest decisions first', async () => {
    const { items } = await search('急用钱');
    expect(items.length).toBeGreaterThan(0);
    const minutes = items.map((p) => p.decisionMinutes ?? Infinity);
    expect(minutes).toEqual([...minutes].sort((a, b) => a - b));
  });

  it('上班族 keeps products an employee may apply for', async () => {
    const { items, total } = await search('上班族');
    expect(items.length).toBeGreaterThan(0);
    expect(items.every((p) => !p.eligibility.employmentTypes?.length || p.eligibility.employmentTypes.includes('上班族'))).toBe(true);
    expect(total).toBeLessThan((await search('')).total);
  });

  it('抵押 returns no 免抵押 product, and 免抵押 no secured one', async () => {
    const secured = await search('抵押');
    expect(secured.items.length).toBeGreaterThan(0);
    expect(secured.items.filter((p) => says(p, '免抵押')).map((p) => p.name)).toEqual([]);
    for (const q of ['免抵押', '不要抵押']) {
      const unsecured = await search(q);
      expect(unsecured.items.length).toBeGreaterThan(0);
      expect(unsecured.items.every((p) => says(p, '免抵押'))).toBe(true);
      expect(unsecured.items.filter((p) => p.category === '房抵贷').map((p) => p.name)).toEqual([]);
    }
  });

  it('借5万 3年 filters by the amount and the term written in the words', async () => {
    const { items, total } = await search('借5万 3年');
    expect(items.length).toBeGreaterThan(0);
    expect(total).toBeLessThan((await search('')).total);
    for (const p of items) {
      expect(Number(p.amount.min)).toBeLessThanOrEqual(50_000);
      expect(Number(p.amount.max)).toBeGreaterThanOrEqual(50_000);
      expect(p.termOptions).toContain(36);
    }
  });

  it('an amount set in the form wins over one written in the words', async () => {
    const { items } = await search('借5万', '&amount=500000');
    for (const p of items) expect(Number(p.amount.max)).toBeGreaterThanOrEqual(500_000);
  });

  it('every demo product is still found by its own name', async () => {
    const { items, total } = await search('');
    expect(items.length).toBe(total);
    for (const p of items) expect((await search(p.name)).items.map((i) => i.id), p.name).toContain(p.id);
  });

  it('literal=true searches the words as typed', async () => {
    expect((await search('买车', '&literal=true')).total).toBe(0);
    expect((await search('买车')).total).toBeGreaterThan(0);
  });

  it('the products page says what it understood, with a way to search the words as typed', async () => {
    const res = await request(t.app).get(`/products?q=${encodeURIComponent('买车 借5万 3年')}`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('已按“车贷”搜索 · 金额 5万 · 期限 36 期');
    // Handlebars writes = as &#x3D; in attributes
    expect(res.text).toMatch(/href="\/products\?q(=|&#x3D;)[^"]*literal(=|&#x3D;)1"/);
    const literal = await request(t.app).get(`/products?q=${encodeURIComponent('买车')}&literal=1`);
    expect(literal.text).toContain('已按原词“买车”搜索');
    expect(literal.text).not.toContain('已按“车贷”搜索');
  });

  it('says when only an order was read from the words', async () => {
    const res = await request(t.app).get(`/products?q=${encodeURIComponent('低息贷款')}`);
    expect(res.text).toContain('已显示全部产品 · 综合年化低的优先');
  });

  it('a nonsense query shows the nearest alternatives and what was relaxed', async () => {
    const res = await request(t.app).get(`/products?q=${encodeURIComponent('火星宇宙飞船')}`);
    expect(res.status).toBe(200);
    expect(res.text).toContain('共 0 款产品');
    expect(res.text).toMatch(/没有完全符合的产品，去掉了“[^”]+”(、“[^”]+”)*后找到 \d+ 个/);
    expect(res.text).toContain('data-testid="relaxed"');
    expect(res.text).toContain('class="card product-card"');
  });

  it('a query matching only without its term says the term was dropped', async () => {
    const res = await request(t.app).get(`/products?q=${encodeURIComponent('房抵贷 2期')}`);
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/没有完全符合的产品，去掉了“期限 2 期”后找到 [1-9]\d* 个/);
  });

  it('the API keeps a no-match honest: total 0, no alternatives counted as matches', async () => {
    const { items, total } = await search('火星宇宙飞船');
    expect(total).toBe(0);
    expect(items).toEqual([]);
  });
});
