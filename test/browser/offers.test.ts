import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app';
import { PASSWORD } from '../support/fixtures';
import { ALL_FIELDS, consumerAgent, staffAgent } from '../support/http';
import { openBrowser, PHONE_VIEWPORT, type BrowserHarness } from '../support/browser';
import { pdfText } from '../support/pdf-text';

/**
 * Issue 16 on a phone: one 一键申请 to 甲银行 and 乙银行, both approve. The borrower sees the two
 * offers side by side, the cheaper first and marked; she accepts it, the SMS-code button counts
 * down, she signs with the code, downloads the contract (its text holds the offer's figures), the
 * institution disburses, and the other offer can no longer be accepted.
 */
describe('browser: two offers, accept the cheaper one with the SMS code, on a phone', { timeout: 120_000 }, () => {
  let t: TestApp | undefined;
  let b: BrowserHarness | undefined;
  let phone = '';
  const ids: Record<'A' | 'B', string> = { A: '', B: '' };
  beforeAll(async () => {
    t = await startTestApp();
    const { institutionA: A, institutionB: B } = t.fixtures;
    const consumer = await consumerAgent(t.app);
    phone = consumer.phone;
    const submitted = await consumer.agent
      .post('/api/v1/applications')
      .set('Idempotency-Key', `browser-offers-${consumer.id}`)
      .send({
        products: [A.productId, B.productId].map((productId) => ({ productId, amount: 50000, termMonths: 12 })),
        purpose: '装修',
        consents: [A.id, B.id].map((institutionId) => ({ institutionId, fields: ALL_FIELDS })),
      })
      .expect(201);
    for (const app of submitted.body.applications as { id: string; product: { id: string } }[]) ids[app.product.id === A.productId ? 'A' : 'B'] = app.id;
    const partnerA = await staffAgent(t.app, 'partner', A.staff);
    const partnerB = await staffAgent(t.app, 'partner', B.staff);
    await partnerA.post(`/api/partner/v1/leads/${ids.A}/status`).send({ status: 'approved', offeredAmount: 50000, offeredTermMonths: 12, offeredApr: 0.15 }).expect(200);
    await partnerB.post(`/api/partner/v1/leads/${ids.B}/status`).send({ status: 'approved', offeredAmount: 50000, offeredTermMonths: 12, offeredApr: 0.09 }).expect(200);
    b = await openBrowser(t.app, { purpose: 'the offers browser test', shotPrefix: 'offers' });
  }, 180_000);
  afterAll(async () => {
    await b?.close();
    await t?.close();
  });

  it('side by side, the cheaper accepted and signed, the contract downloaded, disbursed; the other closed', async () => {
    const { page } = await b!.newPage(PHONE_VIEWPORT, 'borrower');
    await page.goto('/login?next=/offers');
    await page.locator('input[name=phone]').fill(phone);
    await page.locator('input[name=password]').fill(PASSWORD);
    await Promise.all([page.waitForURL((u) => u.pathname === '/offers'), page.getByRole('button', { name: '登录' }).click()]);

    const cards = page.locator('[data-testid=offers-pending] article.offer');
    expect(await cards.evaluateAll((els) => els.map((e) => (e as unknown as { getAttribute(n: string): string }).getAttribute('data-application-id')))).toEqual([ids.B, ids.A]);
    expect(await cards.first().getByTestId('cheapest').innerText()).toBe('总成本最低');
    expect(await page.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE_VIEWPORT.width);
    await b!.shot(page, 'side-by-side');

    await Promise.all([page.waitForURL((u) => u.pathname === `/offers/${ids.B}/sign`), cards.first().getByTestId('accept-link').click()]);
    await Promise.all([page.waitForURL((u) => u.searchParams.get('sent') === '1'), page.getByTestId('send-sign-code').click()]);
    // 重新获取 counts down and cannot be pressed meanwhile
    const resend = page.getByTestId('send-sign-code');
    await page.waitForFunction(() => (globalThis as unknown as { document: { querySelector(s: string): { disabled: boolean } } }).document.querySelector('[data-testid=send-sign-code]').disabled);
    expect(await resend.innerText()).toMatch(/^重新获取（\d+ 秒）$/);
    const sms = await t!.container.services.notifications.lastSmsTo(phone);
    const code = /验证码 (\d{6})，用于签署借款合同/.exec(sms?.body ?? '')?.[1];
    expect(code, 'the signing code was sent').toMatch(/^\d{6}$/);
    await page.locator('input[name=code]').fill(code!);
    await b!.shot(page, 'sign');
    await Promise.all([page.waitForURL((u) => u.pathname === `/applications/${ids.B}`), page.getByTestId('sign-submit').click()]);
    expect(await page.locator('main h1 .badge').getAttribute('data-status')).toBe('accepted');

    // the contract: listed, and its PDF holds the offer's terms
    await Promise.all([page.waitForURL((u) => u.pathname === '/account/contracts'), page.getByTestId('contract-link').click()]);
    const href = await page.getByTestId('contract-download').first().getAttribute('href');
    const pdf = await page.request.get(href!);
    expect(pdf.status()).toBe(200);
    expect(pdf.headers()['content-type']).toContain('application/pdf');
    const text = await pdfText(Buffer.from(await pdf.body()));
    for (const figure of ['借款合同', '乙银行', '¥50,000.00', '12 个月', '9.00%']) expect(text).toContain(figure);

    // the institution disburses the accepted offer; the other institution cannot
    const partnerB = await staffAgent(t!.app, 'partner', t!.fixtures.institutionB.staff);
    await partnerB.post(`/api/partner/v1/leads/${ids.B}/status`).send({ status: 'disbursed', amount: 50000 }).expect(200);
    const partnerA = await staffAgent(t!.app, 'partner', t!.fixtures.institutionA.staff);
    await partnerA.post(`/api/partner/v1/leads/${ids.A}/status`).send({ status: 'disbursed', amount: 50000 }).expect(409);

    // the other offer is closed: no accept, its sign page says so
    await page.goto('/offers');
    expect(await page.getByTestId('offers-none').isVisible()).toBe(true);
    expect(await page.locator(`tr[data-application-id="${ids.A}"]`).innerText()).toContain('已接受同一次申请的其他报价');
    await page.goto(`/offers/${ids.A}/sign`);
    expect(await page.getByTestId('offer-closed').innerText()).toContain('不能再签署');
    expect(await page.getByTestId('sign-submit').count()).toBe(0);
    await b!.shot(page, 'closed');
    expect(await b!.settledProblems()).toEqual([]);
  });
});
