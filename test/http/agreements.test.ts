import type request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountBalance } from '../../server/modules/settlement/ledger';
import { startTestApp, type TestApp } from '../support/app';
import { apply, consumerAgent, csrfFrom, staffAgent } from '../support/http';
import { acceptOffer } from '../support/offers';

describe('commission agreements and accruals through the operator pages', () => {
  let t: TestApp;
  let operator: ReturnType<typeof request.agent>;
  let csrf: string;
  const receivableA = () => accountBalance(t.container.database.db, `receivable:institution:${t.fixtures.institutionA.id}`);

  beforeAll(async () => {
    t = await startTestApp();
    operator = await staffAgent(t.app, 'admin', t.fixtures.operator);
    csrf = csrfFrom((await operator.get('/admin/agreements').expect(200)).text);
  });
  afterAll(() => t?.close());

  const form = (extra: Record<string, string> = {}) => ({
    _csrf: csrf,
    cpl: '25',
    cpa: '120',
    cpsRate: '1.5',
    cplTiers: '',
    cpaTiers: '',
    cpsTiers: '101=1.2',
    cpsEventCap: '800',
    cplMonthlyCap: '',
    cpaMonthlyCap: '',
    cpsMonthlyCap: '50000',
    reversalWindowDays: '15',
    effectiveFrom: '2099-01-01',
    effectiveTo: '',
    note: '年度续签',
    ...extra,
  });
  const post = (body: Record<string, string>, institutionId = t.fixtures.institutionA.id) =>
    operator.post(`/admin/institutions/${institutionId}/agreements`).type('form').send(body);

  it('lists each institution with the version in force', async () => {
    const page = await operator.get('/admin/agreements').expect(200);
    expect(page.text).toContain('甲银行');
    expect(page.text).toContain('每条线索 ¥20.00');
    expect(page.text).toContain('放款额 1.50%');
    expect(page.text).toContain('href="/admin/agreements"'); // in the menu
  });

  it('refuses bad input with 400 naming the field, keeping what was typed', async () => {
    const bad = await post(form({ cpsRate: '1.5abc', cpsTiers: '101:x', effectiveFrom: '2099-02-30' })).expect(400);
    expect(bad.text).toContain('CPS 比例须为百分数');
    expect(bad.text).toContain('每行一个阶梯');
    expect(bad.text).toContain('请选择生效日期');
    expect(bad.text).toContain('value="1.5abc"');
    const unknown = await post({ ...form(), cpc: '1' }).expect(400);
    expect(unknown.text).toContain('不允许的字段');
    const past = await post(form({ effectiveFrom: '2026-01-02' })).expect(400);
    expect(past.text).toContain('只能从未来的日期开始');
    const capZero = await post(form({ cpsEventCap: '0' })).expect(400);
    expect(capZero.text).toContain('封顶金额须大于 0');
    expect(await t.container.services.settlement.agreementsOf(t.fixtures.institutionA.id)).toHaveLength(1);
    await post(form(), 'no-such-institution').expect(404);
  });

  it('creates a new version from a future date, ending the one in force; overlapping dates are refused', async () => {
    const created = await post(form()).expect(303);
    expect(created.headers.location).toBe(`/admin/institutions/${t.fixtures.institutionA.id}/agreements`);
    const versions = await t.container.services.settlement.agreementsOf(t.fixtures.institutionA.id);
    expect(versions.map((v) => v.version)).toEqual([2, 1]);
    expect(versions[0]).toMatchObject({
      cplFen: 2_500,
      cpaFen: 12_000,
      cpsRate: '0.015000',
      tiers: [{ rule: 'cps', fromCount: 101, rate: '0.012' }],
      cpsEventCapFen: 80_000,
      cpsMonthlyCapFen: 5_000_000,
      reversalWindowDays: 15,
      createdByName: '运营',
    });
    expect(versions[0]!.effectiveFrom.toISOString()).toBe('2098-12-31T16:00:00.000Z'); // Asia/Shanghai midnight
    expect(versions[1]!.effectiveTo?.toISOString()).toBe('2098-12-31T16:00:00.000Z');

    const overlap = await post(form({ effectiveFrom: '2099-01-01' })).expect(409);
    expect(overlap.text).toContain('重叠');
    expect(await t.container.services.settlement.agreementsOf(t.fixtures.institutionA.id)).toHaveLength(2);

    const history = await operator.get(`/admin/institutions/${t.fixtures.institutionA.id}/agreements`).expect(200);
    expect(history.text).toContain('v2');
    expect(history.text).toContain('待生效');
    expect(history.text).toContain('生效中');
    expect(history.text).toContain('第 101 笔起 1.20%');
    expect(history.text).toMatch(/data-testid="created-by">运营/);
    const audit = await t.container.services.audit.recentActions('agreement.created', 10);
    expect(audit.some((a) => a.objectId === t.fixtures.institutionA.id && a.actorKind === 'operator')).toBe(true);
  });

  it('the journey posts CPL, CPA and CPS once each; an operator reverses a cancelled disbursement with a reason', async () => {
    const before = await receivableA();
    const consumer = await consumerAgent(t.app);
    const application = await apply(consumer.agent, t.fixtures.institutionA.productId);
    const partner = await staffAgent(t.app, 'partner', t.fixtures.institutionA.staff);
    const status = (body: object) => partner.post(`/api/partner/v1/leads/${application.id}/status`).send(body);
    await status({ status: 'approved', offeredAmount: 50000, offeredTermMonths: 12, offeredApr: 0.1236 }).expect(200);
    await acceptOffer(t, application.id);
    await Promise.all([status({ status: 'disbursed', amount: 50000 }), status({ status: 'disbursed', amount: 50000 })]);

    const accruals = await t.container.services.settlement.accrualsForApplication(application.id);
    expect(accruals.map((a) => [a.sourceKey, a.amountFen]).sort()).toEqual(
      [
        [`cpa:${application.id}`, 10_000],
        [`cpl:${application.id}`, 2_000],
        [`cps:${application.id}`, 75_000],
      ].sort(),
    );
    const journals = await t.container.services.settlement.journalsForApplication(application.id);
    expect(journals.map((j) => j.sourceKey).sort()).toEqual([`cpa:${application.id}`, `cpl:${application.id}`, `cps:${application.id}`].sort());
    expect(await receivableA()).toBe(before + 87_000);

    const page = await operator.get(`/admin/applications/${application.id}`).expect(200);
    expect(page.text).toContain('CPL（按线索）');
    expect(page.text).toContain('data-testid="reverse-commission"');

    const reverse = (body: Record<string, string>) =>
      operator.post(`/admin/applications/${application.id}/commissions/reverse`).type('form').send({ _csrf: csrf, confirm: 'yes', ...body });
    const noReason = await reverse({ sourceKey: `cps:${application.id}`, reason: '' }).expect(400);
    expect(noReason.text).toContain('请填写冲回原因');
    await reverse({ sourceKey: `cps:someone-else`, reason: '放款已取消' }).expect(404);
    await reverse({ sourceKey: `cps:${application.id}`, reason: '放款已取消' }).expect(303);
    await reverse({ sourceKey: `cps:${application.id}`, reason: '放款已取消' }).expect(303); // once only
    expect(await receivableA()).toBe(before + 12_000);
    const after = await t.container.services.settlement.journalsForApplication(application.id);
    expect(after.filter((j) => j.sourceKey === `rev:cps:${application.id}`)).toHaveLength(1);
    const audit = await t.container.services.audit.forObject('commission', `cps:${application.id}`);
    expect(audit.map((a) => a.action)).toEqual(['commission.reversed']);
    expect((await operator.get(`/admin/applications/${application.id}`).expect(200)).text).toContain('冲回');
  });

  it('an approval withdrawn by the consumer within the window reverses its CPA, not its CPL', async () => {
    const before = await receivableA();
    const consumer = await consumerAgent(t.app);
    const application = await apply(consumer.agent, t.fixtures.institutionA.productId);
    const partner = await staffAgent(t.app, 'partner', t.fixtures.institutionA.staff);
    await partner
      .post(`/api/partner/v1/leads/${application.id}/status`)
      .send({ status: 'approved', offeredAmount: 20000, offeredTermMonths: 12, offeredApr: 0.1 })
      .expect(200);
    expect(await receivableA()).toBe(before + 12_000);
    await consumer.agent.post(`/api/v1/applications/${application.id}/withdraw`).send({}).expect(200);
    expect(await receivableA()).toBe(before + 2_000);
    const journals = await t.container.services.settlement.journalsForApplication(application.id);
    expect(journals.map((j) => j.kind)).toEqual(['commission_cpl', 'commission_cpa', 'commission_reversal']);
    expect(journals[2]!.sourceKey).toBe(`rev:cpa:${application.id}`);
  });
});
