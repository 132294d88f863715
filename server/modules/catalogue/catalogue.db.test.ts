import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { queryRows, sqlState } from '../../db/client';
import { ValidationError } from '../../lib/errors';
import { startTestApp, type TestApp } from '../../../test/support/app';
import { databaseTargets } from '../../../test/support/database';
import type { SearchQuery } from '../search';

const base: SearchQuery = { sort: 'apr', page: 1, pageSize: 100 };

describe.each(databaseTargets())('catalogue on the demo data, on $name', (target) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ database: await target.open(), data: 'demo' });
  });
  afterAll(() => t?.close());

  /** The same filters, as one plain SQL count. */
  async function sqlCount(f: { amountFen?: number; termMonths?: number; aprMax?: number; category?: string[]; repayment?: string[]; institution?: string[] }, groupBy?: 'category' | 'repayment') {
    const where = sql.join(
      [
        sql`p.status = 'listed' and i.status = 'active'`,
        f.amountFen !== undefined ? sql`p.min_amount_fen <= ${f.amountFen} and p.max_amount_fen >= ${f.amountFen}` : undefined,
        f.termMonths !== undefined ? sql`${f.termMonths} = any(p.term_options)` : undefined,
        f.aprMax !== undefined ? sql`p.apr_min <= ${f.aprMax}` : undefined,
        f.category ? sql`p.category in (${sql.join(f.category.map((c) => sql`${c}`), sql`, `)})` : undefined,
        f.institution ? sql`p.institution_id in (${sql.join(f.institution.map((c) => sql`${c}`), sql`, `)})` : undefined,
        f.repayment ? sql`p.repayment_methods && array[${sql.join(f.repayment.map((c) => sql`${c}`), sql`, `)}]::text[]` : undefined,
      ].filter((x) => x !== undefined),
      sql` and `,
    );
    if (groupBy === 'category') {
      const rows = await queryRows<{ k: string; n: number }>(t.container.database.db, sql`select p.category as k, count(*)::int as n from products p join institutions i on i.id = p.institution_id where ${where} group by 1`);
      return Object.fromEntries(rows.map((r) => [r.k, r.n]));
    }
    if (groupBy === 'repayment') {
      const rows = await queryRows<{ k: string; n: number }>(t.container.database.db, sql`select m as k, count(*)::int as n from products p join institutions i on i.id = p.institution_id, unnest(p.repayment_methods) m where ${where} group by 1`);
      return Object.fromEntries(rows.map((r) => [r.k, r.n]));
    }
    const [row] = await queryRows<{ n: number }>(t.container.database.db, sql`select count(*)::int as n from products p join institutions i on i.id = p.institution_id where ${where}`);
    return row!.n;
  }

  const cases: { name: string; f: Parameters<typeof sqlCount>[0] }[] = [
    { name: 'nothing', f: {} },
    { name: '5万 for 12 months', f: { amountFen: 5_000_000, termMonths: 12 } },
    { name: 'APR at most 18%', f: { aprMax: 0.18 } },
    { name: 'two categories', f: { category: ['信用贷', '消费贷'] } },
    { name: 'equal principal or bullet', f: { repayment: ['equal_principal', 'bullet'] } },
    { name: 'everything at once', f: { amountFen: 2_000_000, termMonths: 12, aprMax: 0.24, category: ['消费贷', '信用贷', '经营贷'], repayment: ['equal_installment'] } },
  ];

  it.each(cases)('filters agree with a plain SQL count: $name', async ({ f }) => {
    const page = await t.container.services.catalogue.searchListed({ ...base, ...f });
    expect(page.total).toBe(await sqlCount(f));
    expect(page.items.length).toBe(Math.min(page.total, base.pageSize));
  });

  it.each(cases)('facets agree with SQL (each facet ignores its own filter): $name', async ({ f }) => {
    const page = await t.container.services.catalogue.searchListed({ ...base, ...f });
    const { category: _c, ...withoutCategory } = f;
    expect(page.facets.category).toEqual(await sqlCount(withoutCategory, 'category'));
    const { repayment: _r, ...withoutRepayment } = f;
    expect(page.facets.repayment).toEqual(await sqlCount(withoutRepayment, 'repayment'));
  });

  it('keeps a search result from the second asking of the same search on, not at the first', async () => {
    const index = vi.spyOn(t.container.search, 'search');
    try {
      const query = { ...base, aprMax: 0.2345, pageSize: 7 }; // asked nowhere else
      const first = await t.container.services.catalogue.searchListed(query);
      expect(index).toHaveBeenCalledTimes(1);
      await t.container.services.catalogue.searchListed(query); // searched again, and kept
      expect(index).toHaveBeenCalledTimes(2);
      const third = await t.container.services.catalogue.searchListed(query); // from the cache
      expect(index).toHaveBeenCalledTimes(2);
      expect(third.items.map((p) => p.id)).toEqual(first.items.map((p) => p.id));
      expect(third.total).toBe(first.total);
    } finally {
      index.mockRestore();
    }
  });

  it('finds what a person means in Chinese', async () => {
    const names = async (q: string) => (await t.container.services.catalogue.searchListed({ ...base, q, sort: 'relevance' })).items.map((p) => `${p.institutionName}/${p.name}`);
    expect((await names('闪电贷'))[0]).toContain('闪电贷');
    expect(await names('装修贷款')).toEqual(expect.arrayContaining([expect.stringContaining('装修贷款'), expect.stringContaining('装修')]));
    const huashang = await names('华商');
    expect(huashang.length).toBeGreaterThanOrEqual(5);
    expect(huashang.every((n) => n.startsWith('华商银行/'))).toBe(true);
    expect(await names('招商')).toEqual([]);
    const renovation = await names('装修');
    expect(renovation.length).toBeGreaterThanOrEqual(2);
  });

  it('never shows a product that is not listed', async () => {
    const catalogue = t.container.services.catalogue;
    const [first] = (await catalogue.searchListed({ ...base, q: '闪电贷', sort: 'relevance' })).items;
    expect(first).toBeDefined();
    for (const status of ['paused', 'delisted', 'draft', 'in_review'] as const) {
      await catalogue.setStatus(first!.id, status);
      expect(() => catalogue.getListed(first!.id)).toThrow();
      const page = await catalogue.searchListed({ ...base, q: '闪电贷', sort: 'relevance' });
      expect(page.items.map((p) => p.id)).not.toContain(first!.id);
      expect((await catalogue.searchListed(base)).total).toBe(await sqlCount({}));
    }
    await catalogue.setStatus(first!.id, 'listed');
    expect(catalogue.getListed(first!.id).id).toBe(first!.id);
  });

  it('refuses to list a product whose all-in APR can exceed 36%, in the service and in the database', async () => {
    const catalogue = t.container.services.catalogue;
    const [product] = (await catalogue.searchListed(base)).items;
    const attempt = catalogue.update(product!.id, { rateMax: '0.3000', monthlyFeeRate: '0.010000' });
    await expect(attempt).rejects.toBeInstanceOf(ValidationError);
    await expect(attempt).rejects.toMatchObject({ fields: { aprMax: expect.stringContaining('36%') } });
    expect(catalogue.getListed(product!.id).rateMax).toBe(product!.rateMax);
    // as a draft it may be saved (the institution can fix it), but never listed
    const draft = await catalogue.update(product!.id, { status: 'draft', rateMax: '0.3000', monthlyFeeRate: '0.010000' });
    expect(Number(draft.aprMax)).toBeGreaterThan(0.36);
    await expect(catalogue.setStatus(product!.id, 'listed')).rejects.toBeInstanceOf(ValidationError);
    const direct = t.container.database.db.execute(sql`update products set status = 'listed' where id = ${product!.id}`);
    await expect(direct).rejects.toSatisfy((e: unknown) => sqlState(e) === '23514');
    await catalogue.update(product!.id, { rateMax: product!.rateMax, monthlyFeeRate: product!.monthlyFeeRate, status: 'listed' });
  });

  it('labels every product whose all-in APR can exceed 24%, and every item carries its APR range', async () => {
    const page = await t.container.services.catalogue.searchListed(base);
    for (const p of page.items) {
      expect(p.apr.min).toBeGreaterThan(0);
      expect(p.apr.max).toBeGreaterThanOrEqual(p.apr.min);
      expect(p.apr.max).toBeLessThanOrEqual(0.36);
      expect(p.aprAbove24).toBe(p.apr.max > 0.24);
    }
    expect(page.items.some((p) => p.aprAbove24)).toBe(true);
  });

  it('writes buffered events with their own time and scrubbed query, and adds impressions to the day totals', async () => {
    const catalogue = t.container.services.catalogue;
    const db = t.container.database.db;
    const [a, b] = (await catalogue.searchListed(base)).items;
    const visitor = `test-visitor-${Date.now()}`;
    const before = Date.now();
    catalogue.recordEvent(visitor, 'search', { query: '装修 13812345678', filters: { amount: 50000 }, channel: 'api' });
    catalogue.recordEvent(visitor, 'view', { productId: a!.id });
    const day = (await queryRows<{ d: string }>(db, sql`select to_char(now() at time zone 'Asia/Shanghai', 'YYYY-MM-DD') as d`))[0]!.d;
    const counted = async (id: string) =>
      (await queryRows<{ n: number }>(db, sql`select coalesce(sum(count), 0)::int as n from catalogue_impressions where product_id = ${id} and day = ${day} and list = 'bench-check' and channel = 'api'`))[0]!.n;
    const [startA, startB] = [await counted(a!.id), await counted(b!.id)];
    catalogue.recordImpressions(visitor, [a!.id, b!.id], 'bench-check', 'api');
    catalogue.recordImpressions(visitor, [a!.id], 'bench-check', 'api');
    await catalogue.flushEvents();
    catalogue.recordImpressions(visitor, [a!.id], 'bench-check', 'api'); // a second batch adds to the same row
    await catalogue.flushEvents();

    const events = await catalogue.recentEvents(visitor);
    expect(events.map((e) => e.kind)).toEqual(['view', 'search']);
    expect(events[1]).toMatchObject({ query: '装修', filters: { amount: 50000 }, channel: 'api', productId: null });
    expect(events[0]).toMatchObject({ productId: a!.id, channel: 'web', filters: {} });
    for (const e of events) {
      expect(e.createdAt.getTime()).toBeGreaterThanOrEqual(before - 1);
      expect(e.createdAt.getTime()).toBeLessThanOrEqual(Date.now());
    }
    expect(await counted(a!.id)).toBe(startA + 3);
    expect(await counted(b!.id)).toBe(startB + 1);
  });

  it('writes a full batch of events at once but keeps adding up impressions until their own write, one row per product', async () => {
    const catalogue = t.container.services.catalogue;
    const db = t.container.database.db;
    const [a, b] = (await catalogue.searchListed(base)).items;
    await catalogue.flushEvents();
    const visitor = `test-batch-${Date.now()}`;
    const list = `batch-check-${Date.now()}`;
    const rows = async () =>
      (await queryRows<{ rows: number; total: number }>(db, sql`select count(*)::int as rows, coalesce(sum(count), 0)::int as total from catalogue_impressions where list = ${list}`))[0]!;
    const events = async () => (await queryRows<{ n: number }>(db, sql`select count(*)::int as n from catalogue_events where visitor = ${visitor}`))[0]!.n;
    // a kept page (the same array each time) and 1,500 distinct pages, as distinct searches give
    const kept = [a!.id, b!.id];
    for (let i = 0; i < 500; i++) catalogue.recordImpressions(visitor, kept, list, 'api');
    for (let i = 0; i < 1_500; i++) catalogue.recordImpressions(visitor, i % 2 ? [a!.id] : [b!.id, a!.id], list, 'api');
    for (let i = 0; i < 2_000; i++) catalogue.recordEvent(visitor, 'search', { query: `批量 ${i % 7}`, channel: 'api', results: i });
    await vi.waitFor(async () => expect(await events()).toBe(2_000)); // the full batch went at once
    expect(await rows()).toEqual({ rows: 0, total: 0 }); // the impressions wait for their own write
    await catalogue.flushEvents();
    const [countA, countB] = await Promise.all(
      [a!.id, b!.id].map(async (id) => (await queryRows<{ n: number }>(db, sql`select count::int as n from catalogue_impressions where list = ${list} and product_id = ${id}`))[0]!.n),
    );
    expect(await rows()).toEqual({ rows: 2, total: 500 * 2 + 750 + 750 * 2 });
    expect(countA).toBe(500 + 1_500);
    expect(countB).toBe(500 + 750);
  });
});
