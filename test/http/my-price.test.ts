import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatYuanRange } from '../../server/modules/pricing';
import { startTestApp, type TestApp } from '../support/app';
import { consumerAgent } from '../support/http';

interface Price { monthlyLow: number; monthlyHigh: number; totalCostLow: number; totalCostHigh: number; aprLow: number; aprHigh: number }
interface Item { id: string; name: string; price?: Price | null }

const yuanRange = (low: number, high: number) => formatYuanRange(Math.round(low * 100), Math.round(high * 100));
/** the HTML of one product card on a list page */
function cardOf(html: string, id: string): string {
  const start = html.indexOf(`data-product-id="${id}"`);
  expect(start, `card of ${id}`).toBeGreaterThan(-1);
  return html.slice(start, html.indexOf('</article>', start));
}
const unescape = (html: string) => html.replace(/&amp;/g, '&').replace(/&#x3D;/g, '=');

describe('my price: a range for the amount and term in view, everywhere', () => {
  let t: TestApp;
  let items: Item[];
  let ranged: Item;
  beforeAll(async () => {
    t = await startTestApp({ data: 'demo' });
    items = (await request(t.app).get('/api/v1/products?amount=50000&termMonths=12&pageSize=100').expect(200)).body.items;
    ranged = items.find((i) => i.price && i.price.monthlyHigh > i.price.monthlyLow)!;
    expect(ranged, 'the demo data has a product with a rate range').toBeDefined();
  });
  afterAll(() => t?.close());

  it('the API list gives every item its price only when amount and term are asked', async () => {
    expect(items.length).toBeGreaterThan(1);
    for (const i of items) {
      expect(i.price, i.name).toBeTruthy();
      expect(i.price!.monthlyHigh).toBeGreaterThanOrEqual(i.price!.monthlyLow);
      expect(i.price!.totalCostHigh).toBeGreaterThanOrEqual(i.price!.totalCostLow);
      expect(i.price!.aprHigh).toBeGreaterThanOrEqual(i.price!.aprLow);
    }
    const plain = (await request(t.app).get('/api/v1/products?pageSize=5').expect(200)).body.items as Item[];
    for (const i of plain) expect(i.price).toBeUndefined();
    const amountOnly = (await request(t.app).get('/api/v1/products?amount=50000&pageSize=5').expect(200)).body.items as Item[];
    for (const i of amountOnly) expect(i.price).toBeUndefined();
  });

  it('a range product’s card shows both ends of 月供 and 总利息 + 费用, and links on with the amount and term', async () => {
    const res = await request(t.app).get('/products?amount=50000&termMonths=12&pageSize=100&sort=cost').expect(200);
    const card = cardOf(res.text, ranged.id);
    const p = ranged.price!;
    expect(card).toContain('data-testid="my-price"');
    expect(card).toContain(`月供 <b data-testid="monthly">${yuanRange(p.monthlyLow, p.monthlyHigh)}</b>`);
    expect(card).toContain(`<b data-testid="total-cost">${yuanRange(p.totalCostLow, p.totalCostHigh)}</b>`);
    expect(yuanRange(p.monthlyLow, p.monthlyHigh)).toMatch(/^¥[\d,]+\.\d{2}–¥[\d,]+\.\d{2}$/);
    expect(unescape(card)).toContain(`href="/products/${ranged.id}?amount=50000&termMonths=12"`);
    // without an amount and a term there is nothing to price: the page says how to see it
    const bare = await request(t.app).get('/products').expect(200);
    expect(bare.text).not.toContain('data-testid="monthly"');
    expect(bare.text).toContain('填写金额和期限');
  });

  it('compare shows 首期月供 and 总利息 + 费用 as ranges', async () => {
    const other = items.find((i) => i.id !== ranged.id)!;
    const res = await request(t.app).get(`/compare?ids=${ranged.id}&ids=${other.id}&amount=50000&termMonths=12`).expect(200);
    const rowCells = (label: string) => {
      const row = res.text.slice(res.text.indexOf(`<th scope="row">${label}</th>`));
      return [...row.slice(0, row.indexOf('</tr>')).matchAll(/<td[^>]*>([^<]*)<\/td>/g)].map((m) => m[1]);
    };
    const p = ranged.price!;
    expect(rowCells('首期月供')[0]).toBe(yuanRange(p.monthlyLow, p.monthlyHigh));
    expect(rowCells('总利息 + 费用')[0]).toBe(yuanRange(p.totalCostLow, p.totalCostHigh));
    expect(rowCells('综合年化（你的需求）')[0]).toMatch(/^\d+\.\d{2}%–\d+\.\d{2}%$/);
    expect(rowCells('首期月供')[1]).toBe(yuanRange(other.price!.monthlyLow, other.price!.monthlyHigh));
    // the product names link on with the amount and term compared
    expect(unescape(res.text)).toContain(`<a href="/products/${ranged.id}?amount=50000&termMonths=12">`);
  });

  it('the compare API prices each product, refuses more than 4 and names ids not listed', async () => {
    const other = items.find((i) => i.id !== ranged.id)!;
    const res = await request(t.app).get(`/api/v1/compare?ids=${ranged.id},${other.id},nope&amount=50000&termMonths=12`).expect(200);
    expect(res.body).toMatchObject({ amount: 50000, termMonths: 12, missing: ['nope'] });
    expect(res.body.items.map((i: { product: Item }) => i.product.id)).toEqual([ranged.id, other.id]);
    expect(res.body.items[0].price).toEqual(ranged.price);
    const five = items.slice(0, 5).map((i) => i.id).join(',');
    expect((await request(t.app).get(`/api/v1/compare?ids=${five}`).expect(400)).body.error.fields.ids).toBeTruthy();
    await request(t.app).get('/api/v1/compare?ids=nope').expect(404);
  });

  it('总成本最低 orders by the total cost at the highest rate', async () => {
    const sorted = (await request(t.app).get('/api/v1/products?amount=50000&termMonths=12&pageSize=100&sort=cost').expect(200)).body.items as Item[];
    expect(sorted.map((i) => i.id).sort()).toEqual(items.map((i) => i.id).sort());
    const highs = sorted.map((i) => i.price!.totalCostHigh);
    expect(highs).toEqual([...highs].sort((a, b) => a - b));
    // the best case would order them otherwise: the demo has a product cheaper at its lowest rate but dearer at its highest
    const lows = sorted.map((i) => i.price!.totalCostLow);
    expect(lows).not.toEqual([...lows].sort((a, b) => a - b));
    // the page lists them in the same order and offers the sort
    const page = await request(t.app).get('/products?amount=50000&termMonths=12&sort=cost').expect(200);
    expect(page.text).toContain('<option value="cost" selected>总成本最低</option>');
    const shown = [...page.text.matchAll(/data-product-id="([^"]+)"/g)].map((m) => m[1]);
    expect(shown).toEqual(sorted.slice(0, shown.length).map((i) => i.id));
    // without an amount or term the sort says what it priced
    const bare = await request(t.app).get('/products?sort=cost').expect(200);
    expect(bare.text).toContain('总成本按 ¥50,000.00、12 个月、最高利率估算排序');
    await request(t.app).get('/api/v1/products?sort=cheapest').expect(400);
  });

  it('the amount and term travel: search → product page → its calculator → apply', async () => {
    const list = await request(t.app).get('/products?amount=50000&termMonths=12&pageSize=100').expect(200);
    const href = unescape(cardOf(list.text, ranged.id)).match(/href="(\/products\/[^"]+)"/)![1]!;
    const product = await request(t.app).get(href).expect(200);
    expect(product.text).toMatch(/name="amount" type="number" min="1" step="0.01" value="50000"/);
    expect(product.text).toMatch(/<option value="12" selected>12 个月<\/option>/);
    const p = ranged.price!;
    expect(product.text).toContain(`data-testid="calc-monthly">${yuanRange(p.monthlyLow, p.monthlyHigh)}</div>`);
    expect(product.text).toContain(`data-testid="calc-total-cost">${yuanRange(p.totalCostLow, p.totalCostHigh)}</div>`);
    const apply = unescape(product.text).match(/href="(\/apply\?[^"]+)" data-testid="apply"/)![1]!;
    expect(apply).toBe(`/apply?products=${ranged.id}&amount=50000&termMonths=12`);
    const consumer = await consumerAgent(t.app);
    const form = await consumer.agent.get(apply).expect(200);
    expect(form.text).toMatch(/name="amount" type="number" min="1" step="0.01" value="50000"/);
    expect(form.text).toMatch(/<option value="12" selected>12 个月<\/option>/);
    expect(form.text).toContain(`月供 <b>${yuanRange(p.monthlyLow, p.monthlyHigh)}</b>`);
  });

  it('recommendations quote the range, on the page and in the API', async () => {
    const api = await request(t.app).get('/api/v1/recommendations?amount=50000&termMonths=12').expect(200);
    expect(api.body.items.length).toBeGreaterThan(0);
    for (const r of api.body.items as { product: Item; price: Price }[]) {
      expect(r.price.totalCostHigh).toBeGreaterThanOrEqual(r.price.totalCostLow);
      expect(r.price).toEqual(items.find((i) => i.id === r.product.id)?.price ?? r.price);
    }
    const page = await request(t.app).get('/recommendations?amount=50000&termMonths=12').expect(200);
    expect(page.text).toContain('data-testid="my-price"');
    expect(page.text).toMatch(/data-testid="reco-price">按你的需求：综合年化 <b>\d+\.\d{2}%(–\d+\.\d{2}%)?<\/b>/);
    const none = await request(t.app).get('/api/v1/recommendations').expect(200);
    for (const r of none.body.items) expect(r.price).toBeUndefined();
  });
});
