import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../server/db/client';
import { startTestApp, type TestApp } from '../support/app';
import { ALL_FIELDS, apply, consumerAgent, csrfFrom, staffAgent } from '../support/http';
import { acceptOffer, lastCode } from '../support/offers';
import { pdfText } from '../support/pdf-text';

/**
 * Issue 16: an approval is an offer within what the product advertised, decided by the borrower.
 * 甲银行信用贷 advertises 7.20%–18.00% with no fees: its all-in APR range is the same.
 */
describe('offers: bounded by what was advertised, accepted or declined by the borrower', () => {
  let t: TestApp;
  let partner: Awaited<ReturnType<typeof staffAgent>>;
  beforeAll(async () => {
    t = await startTestApp({ env: { WEBHOOK_ALLOW_LOOPBACK: 'true' } });
    partner = await staffAgent(t.app, 'partner', t.fixtures.institutionA.staff);
  });
  afterAll(() => t?.close());

  const approve = (id: string, extra: Record<string, unknown> = {}) =>
    partner.post(`/api/partner/v1/leads/${id}/status`).send({ status: 'approved', offeredAmount: 50000, offeredTermMonths: 12, offeredApr: 0.12, ...extra });
  const statusOf = async (id: string) => (await queryRows<{ status: string }>(t.container.database.db, sql`select status from applications where id = ${id}`))[0]!.status;
  const offerRows = async (id: string) => (await queryRows<{ n: number }>(t.container.database.db, sql`select count(*)::int as n from offers where application_id = ${id}`))[0]!.n;

  it('an APR above the advertised range needs a reason from the list; without one it is a 400 and nothing is saved', async () => {
    const consumer = await consumerAgent(t.app);
    const app = await apply(consumer.agent, t.fixtures.institutionA.productId);
    const refused = await approve(app.id, { offeredApr: 0.235 }).expect(400);
    expect(refused.body.error.fields.offeredApr).toContain('公示的综合年化为 7.20%–18.00%');
    expect(refused.body.error.fields.pricingReason).toBe('请选择定价原因');
    expect(await statusOf(app.id)).toBe('submitted');
    expect(await offerRows(app.id)).toBe(0);

    const unknownReason = await approve(app.id, { offeredApr: 0.235, pricingReason: 'because' }).expect(400);
    expect(Object.keys(unknownReason.body.error.fields)).toEqual(['pricingReason']);

    await approve(app.id, { offeredApr: 0.235, pricingReason: 'risk_based' }).expect(200);
    const [offer] = (await consumer.agent.get('/api/v1/offers').expect(200)).body.items;
    expect(offer).toMatchObject({ applicationId: app.id, state: 'pending', apr: 0.235, aboveAdvertised: true, pricingReason: '按产品公布的风险定价规则上浮', highCost: false, amount: 50000, termMonths: 12 });
    expect(offer.advertisedApr).toEqual({ low: 0.072, high: 0.18 });
    // the page shows it in red with the advertised range beside it
    const page = await consumer.agent.get('/offers').expect(200);
    expect(page.text).toMatch(/data-testid="above-advertised">高于该产品公示的 7\.20%–18\.00%（机构说明：按产品公布的风险定价规则上浮）/);
  });

  it('the platform cap refuses what is above it, even with a reason; above 24% the borrower sees a warning', async () => {
    const { settings } = t.container.services;
    await settings.set('rates.offerCap', 0.3, { kind: 'system', id: null });
    try {
      const consumer = await consumerAgent(t.app);
      const app = await apply(consumer.agent, t.fixtures.institutionA.productId);
      const refused = await approve(app.id, { offeredApr: 0.32, pricingReason: 'risk_based' }).expect(400);
      expect(refused.body.error.fields.offeredApr).toBe('综合年化不得超过 30.00%');
      expect(await offerRows(app.id)).toBe(0);
      await approve(app.id, { offeredApr: 0.26, pricingReason: 'risk_based' }).expect(200);
      const [offer] = (await consumer.agent.get('/api/v1/offers').expect(200)).body.items;
      expect(offer.highCost).toBe(true);
      expect((await consumer.agent.get('/offers').expect(200)).text).toContain('综合年化超过 24%，请谨慎借款');
    } finally {
      await settings.set('rates.offerCap', 0.36, { kind: 'system', id: null });
    }
  });

  it('money moves only after the borrower accepts with the SMS code; accepting twice is refused', async () => {
    const consumer = await consumerAgent(t.app);
    const app = await apply(consumer.agent, t.fixtures.institutionA.productId);
    await approve(app.id).expect(200);
    const early = await partner.post(`/api/partner/v1/leads/${app.id}/status`).send({ status: 'disbursed', amount: 50000 }).expect(409);
    expect(early.body.error.code).toBe('offer_not_accepted');

    await consumer.agent.post(`/api/v1/offers/${app.id}/code`).send({}).expect(200);
    const wrong = await consumer.agent.post(`/api/v1/offers/${app.id}/accept`).set('Idempotency-Key', `wrong-${app.id}`).send({ code: '000000' }).expect(400);
    expect(Object.keys(wrong.body.error.fields)).toEqual(['code']);
    expect(await statusOf(app.id)).toBe('approved');
    const code = await lastCode(t, consumer.phone);
    const accepted = await consumer.agent.post(`/api/v1/offers/${app.id}/accept`).set('Idempotency-Key', `ok-${app.id}`).send({ code }).expect(200);
    expect(accepted.body).toMatchObject({ state: 'accepted', decidedAt: expect.any(String) });
    // the loan contract was signed with it: its PDF states the offer's exact terms, and it verifies
    const contractId = accepted.body.contractId as string;
    const pdf = await consumer.agent.get(`/api/v1/contracts/${contractId}/pdf`).buffer(true).parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done(null, Buffer.concat(chunks)));
    }).expect(200);
    const text = await pdfText(pdf.body as Buffer);
    for (const figure of ['借款合同', '¥50,000.00', '12 个月', '12.00%', accepted.body.firstPayment.toLocaleString('en-US', { minimumFractionDigits: 2 })]) expect(text).toContain(figure);
    expect((await t.container.services.contracts.verify(contractId)).ok).toBe(true);
    // nobody else can read it
    await (await consumerAgent(t.app)).agent.get(`/api/v1/contracts/${contractId}/pdf`).expect(404);
    const again = await consumer.agent.post(`/api/v1/offers/${app.id}/accept`).set('Idempotency-Key', `again-${app.id}`).send({ code }).expect(409);
    expect(again.body.error.code).toBe('offer_decided');

    const disbursed = await partner.post(`/api/partner/v1/leads/${app.id}/status`).send({ status: 'disbursed', amount: 50000 }).expect(200);
    expect(disbursed.body.loan.id).toBeTruthy();
    // someone else's offer is not found
    const other = await consumerAgent(t.app);
    await other.agent.post(`/api/v1/offers/${app.id}/decline`).send({}).expect(404);
  });

  it('a declined offer cannot be disbursed, earns no CPS, and the institution is told by webhook', async () => {
    const { webhooks } = t.container.services;
    await webhooks.setEndpoint(t.fixtures.institutionA.id, 'http://127.0.0.1:9/hook', { kind: 'system', id: null });
    const consumer = await consumerAgent(t.app);
    const app = await apply(consumer.agent, t.fixtures.institutionA.productId);
    await approve(app.id).expect(200);
    const declined = await consumer.agent.post(`/api/v1/offers/${app.id}/decline`).send({ reason: 'too_expensive' }).expect(200);
    expect(declined.body).toMatchObject({ state: 'declined', declineReason: '利率或费用太高' });
    await partner.post(`/api/partner/v1/leads/${app.id}/status`).send({ status: 'disbursed', amount: 50000 }).expect(409);
    const rules = await queryRows<{ rule: string }>(t.container.database.db, sql`select rule from commission_accruals where application_id = ${app.id} order by rule`);
    expect(rules.map((r) => r.rule)).toEqual(['cpa', 'cpl']);
    const events = await queryRows<{ event: string }>(t.container.database.db, sql`select event from webhook_deliveries where payload->>'applicationId' = ${app.id}`);
    expect(events.map((e) => e.event)).toContain('offer.declined');
    await consumer.agent.post(`/api/v1/offers/${app.id}/decline`).send({}).expect(409);
  });

  it('an offer past its time expires; accepting it then is refused, and accept racing the expiry settles to one outcome', async () => {
    const { offers } = t.container.services;
    const consumer = await consumerAgent(t.app);
    const app = await apply(consumer.agent, t.fixtures.institutionA.productId);
    await approve(app.id, { expiresAt: new Date(Date.now() + 2 * 3600_000).toISOString() }).expect(200);
    expect(await offers.expireDue(new Date())).toBe(0);
    expect(await offers.expireDue(new Date(Date.now() + 3 * 3600_000))).toBe(1);
    expect(await statusOf(app.id)).toBe('expired');
    const late = await consumer.agent.post(`/api/v1/offers/${app.id}/code`).send({}).expect(409);
    expect(late.body.error.code).toBe('offer_expired');

    // the race: one borrower accepting while the job expires the offer
    const racer = await consumerAgent(t.app);
    const raced = await apply(racer.agent, t.fixtures.institutionA.productId);
    await approve(raced.id, { expiresAt: new Date(Date.now() + 2 * 3600_000).toISOString() }).expect(200);
    const phone = racer.phone;
    await t.container.services.accounts.requestCode(phone, 'sign');
    const code = await lastCode(t, phone);
    const [accept, expire] = await Promise.allSettled([offers.accept(racer.id, raced.id, code, { actor: { kind: 'consumer', id: racer.id }, device: 'test-device', visitor: 'test-visitor', door: 'web' }), offers.expireDue(new Date(Date.now() + 3 * 3600_000))]);
    const final = await statusOf(raced.id);
    expect(['accepted', 'expired']).toContain(final);
    if (final === 'accepted') {
      expect(accept.status).toBe('fulfilled');
      expect(expire).toEqual({ status: 'fulfilled', value: 0 });
    } else {
      expect(accept.status).toBe('rejected');
      expect(expire).toEqual({ status: 'fulfilled', value: 1 });
    }
    const decisions = await queryRows<{ n: number }>(t.container.database.db, sql`select count(*)::int as n from application_events where application_id = ${raced.id} and to_status in ('accepted', 'expired')`);
    expect(decisions[0]!.n).toBe(1);
  });

  it('several offers side by side: sorted by total cost, the cheapest marked; accepting on the page with the code', async () => {
    const consumer = await consumerAgent(t.app);
    const a = await apply(consumer.agent, t.fixtures.institutionA.productId);
    const b = await apply(consumer.agent, t.fixtures.institutionB.productId);
    await approve(a.id, { offeredApr: 0.15 }).expect(200);
    const partnerB = await staffAgent(t.app, 'partner', t.fixtures.institutionB.staff);
    await partnerB.post(`/api/partner/v1/leads/${b.id}/status`).send({ status: 'approved', offeredAmount: 50000, offeredTermMonths: 12, offeredApr: 0.09 }).expect(200);
    const { items } = (await consumer.agent.get('/api/v1/offers').expect(200)).body;
    expect(items.map((o: { applicationId: string }) => o.applicationId)).toEqual([b.id, a.id]);
    expect(items.map((o: { cheapest: boolean }) => o.cheapest)).toEqual([true, false]);
    expect(items[0].totalCost).toBeLessThan(items[1].totalCost);

    const page = await consumer.agent.get('/offers').expect(200);
    expect(page.text.indexOf(`data-application-id="${b.id}"`)).toBeLessThan(page.text.indexOf(`data-application-id="${a.id}"`));
    expect(page.text).toContain('data-testid="cheapest"');
    const sign = await consumer.agent.get(`/offers/${b.id}/sign`).expect(200);
    await consumer.agent.post(`/offers/${b.id}/code`).type('form').send({ _csrf: csrfFrom(sign.text) }).expect(303);
    const signPage = await consumer.agent.get(`/offers/${b.id}/sign`).expect(200);
    const bad = await consumer.agent.post(`/offers/${b.id}/accept`).type('form').send({ _csrf: csrfFrom(signPage.text), code: '12' }).expect(400);
    expect(bad.text).toContain('请输入 6 位短信验证码');
    await consumer.agent.post(`/offers/${b.id}/accept`).type('form').send({ _csrf: csrfFrom(signPage.text), code: await lastCode(t, consumer.phone) }).expect(303);
    expect(await statusOf(b.id)).toBe('accepted');
    // the other one is still the borrower's to decide
    expect(await statusOf(a.id)).toBe('approved');
    await acceptOffer(t, a.id);
    expect(await statusOf(a.id)).toBe('accepted');
  });

  it('operators see the offers above advertised by institution and product; the institution is labelled and ranked lower', async () => {
    const op = await staffAgent(t.app, 'admin', t.fixtures.operator);
    const report = await op.get('/admin/offers').expect(200);
    const rowA = report.text.match(/<tr class="diff"><td>甲银行[^<]*<\/td><td>甲银行信用贷<\/td><td>(\d+)<\/td><td>(\d+)<\/td>/);
    expect(rowA, 'a row for 甲银行信用贷 with offers above advertised').not.toBeNull();
    expect(Number(rowA![2])).toBe(2);
    expect(Number(rowA![1])).toBeGreaterThanOrEqual(5);
    expect(report.text).toContain('按产品公布的风险定价规则上浮');
    // the product page says so; B, which priced as advertised, is not labelled
    const pageA = await consumerAgent(t.app).then((c) => c.agent.get(`/products/${t.fixtures.institutionA.productId}`).expect(200));
    expect(pageA.text).toMatch(/data-testid="above-advertised-share">该机构近 90 天 \d+\.\d\d% 的报价高于产品公示的综合年化/);
    const pageB = await consumerAgent(t.app).then((c) => c.agent.get(`/products/${t.fixtures.institutionB.productId}`).expect(200));
    expect(pageB.text).not.toContain('above-advertised-share');
    expect((await t.container.services.offers.aboveAdvertisedShares()).get(t.fixtures.institutionA.id)).toBeGreaterThan(0.2);
  });

  it('one 一键申请, one loan: accepting one of its offers closes the others, which can no longer be accepted', async () => {
    const consumer = await consumerAgent(t.app);
    const { institutionA: A, institutionB: B } = t.fixtures;
    const submitted = await consumer.agent
      .post('/api/v1/applications')
      .set('Idempotency-Key', `multi-${consumer.id}`)
      .send({
        products: [
          { productId: A.productId, amount: 50000, termMonths: 12 },
          { productId: B.productId, amount: 50000, termMonths: 12 },
        ],
        purpose: '装修',
        consents: [A.id, B.id].map((institutionId) => ({ institutionId, fields: ALL_FIELDS })),
      })
      .expect(201);
    const created = submitted.body.applications as { id: string; product: { id: string } }[];
    expect(created).toHaveLength(2);
    const idOf = (productId: string) => created.find((x) => x.product.id === productId)!.id;
    await approve(idOf(A.productId), { offeredApr: 0.15 }).expect(200);
    const partnerB = await staffAgent(t.app, 'partner', B.staff);
    await partnerB.post(`/api/partner/v1/leads/${idOf(B.productId)}/status`).send({ status: 'approved', offeredAmount: 50000, offeredTermMonths: 12, offeredApr: 0.09 }).expect(200);
    await acceptOffer(t, idOf(B.productId), consumer.agent);
    expect(await statusOf(idOf(B.productId))).toBe('accepted');
    expect(await statusOf(idOf(A.productId))).toBe('declined');
    const items = (await consumer.agent.get('/api/v1/offers').expect(200)).body.items as { applicationId: string; state: string; declineReason: string | null }[];
    expect(items.find((o) => o.applicationId === idOf(A.productId))).toMatchObject({ state: 'declined', declineReason: '已接受同一次申请的其他报价' });
    const refused = await consumer.agent.post(`/api/v1/offers/${idOf(A.productId)}/code`).send({}).expect(409);
    expect(refused.body.error.code).toBe('offer_decided');
  });

  it('the month’s statement lists the offers that earned no CPS, and why', async () => {
    const period = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit' }).format(new Date()).slice(0, 7);
    const closed = await t.container.services.statements.closeFor(t.fixtures.institutionA.id, period, new Date());
    expect(closed.kind).toBe('created');
    const op = await staffAgent(t.app, 'admin', t.fixtures.operator);
    const page = await op.get(`/admin/finance/statements/${(closed as { statementId: string }).statementId}`).expect(200);
    const section = page.text.slice(page.text.indexOf('data-testid="no-cps"'));
    expect(section).toContain('本月未产生 CPS 的报价');
    expect(section).toContain('借款人谢绝：利率或费用太高，未放款');
    expect(section).toContain('报价过期未确认，未放款');
    expect(section).toContain('借款人谢绝：已接受同一次申请的其他报价，未放款');
  });
});
