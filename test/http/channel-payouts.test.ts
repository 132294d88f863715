import { randomUUID } from 'node:crypto';
import type request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accounts } from '../../server/modules/accounts/accounts.schema';
import { channelAttributions, channels } from '../../server/modules/channels/channels.schema';
import { startTestApp, type TestApp } from '../support/app';
import { csrfFrom, staffAgent } from '../support/http';

/** The operator's doors to channel payouts: the admin pages and the admin API, with exact statuses. */
let t: TestApp;
let operator: ReturnType<typeof request.agent>;
let channelId: string;
let statementId: string;

const db = () => t.container.database.db;

async function attributeNew(at: Date, subId = ''): Promise<string> {
  const id = `acc_http_${randomUUID()}`;
  await db().insert(accounts).values({ id, kind: 'consumer', role: 'consumer', loginHash: id, loginEnc: 'x', loginMasked: '138****0000', passwordHash: 'x', displayNameEnc: 'x' });
  await db().insert(channelAttributions).values({ accountId: id, channelId, subId, touchedAt: at, attributedAt: at });
  return id;
}

beforeAll(async () => {
  t = await startTestApp();
  operator = await staffAgent(t.app, 'admin', t.fixtures.operator);
  channelId = `ch_http_${randomUUID().slice(0, 8)}`;
  await db().insert(channels).values({ id: channelId, code: 'httpch1', name: '抖音信息流', type: 'feed_ads' });
});
afterAll(() => t?.close());

describe('channel agreements', () => {
  it('the index lists the channel; the page creates a version, refuses bad terms with the field named, and a second version must start later', async () => {
    const index = await operator.get('/admin/channel-payouts').expect(200);
    expect(index.text).toContain('抖音信息流');
    expect(index.text).toContain(`/admin/channel-payouts/channels/${channelId}/agreements`);

    const form = await operator.get(`/admin/channel-payouts/channels/${channelId}/agreements`).expect(200);
    const csrf = csrfFrom(form.text);
    const bad = await operator
      .post(`/admin/channel-payouts/channels/${channelId}/agreements`)
      .type('form')
      .send({ _csrf: csrf, registration: '10', disbursementTiers: 'abc', sharePercent: '150', effectiveFrom: '2026-01-01' });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('从本月第 100 笔起每笔 80 元');
    expect(bad.text).toContain('佣金分成须为百分数');

    const created = await operator
      .post(`/admin/channel-payouts/channels/${channelId}/agreements`)
      .type('form')
      .send({ _csrf: csrf, registration: '10', disbursement: '50', disbursementTiers: '100=80', sharePercent: '10', monthlyCap: '50000', reversalWindowDays: '30', effectiveFrom: '2026-01-01' });
    expect(created.status).toBe(303);
    const history = await operator.get(`/admin/channel-payouts/channels/${channelId}/agreements`).expect(200);
    expect(history.text).toContain('放款 每笔 ¥50.00，本月第 100 笔起 ¥80.00');
    expect(history.text).toContain('佣金分成 10.00%');
    expect(history.text).toContain('每月封顶 ¥50,000.00');

    const past = await operator.post(`/admin/channel-payouts/channels/${channelId}/agreements`).type('form').send({ _csrf: csrf, registration: '12', effectiveFrom: '2026-02-01' });
    expect(past.status).toBe(400);
    expect(past.text).toContain('新版本只能从未来的日期开始');

    await operator.get('/admin/channel-payouts/channels/no-such-channel/agreements').expect(404);
  });

  it('the API lists and creates versions with exact statuses', async () => {
    const list = await operator.get('/api/admin/v1/channel-agreements').query({ channelId }).expect(200);
    expect(list.body.items).toHaveLength(1);
    expect(list.body.items[0]).toMatchObject({ version: 1, shareRate: '0.100000', monthlyCapFen: 5_000_000, perEvent: [{ rule: 'registration', amountFen: 1_000 }, { rule: 'disbursement', amountFen: 5_000, tiers: [{ fromCount: 100, amountFen: 8_000 }] }] });
    await operator.get('/api/admin/v1/channel-agreements').expect(400);
    await operator.get('/api/admin/v1/channel-agreements').query({ channelId: 'no-such-channel' }).expect(404);

    const unknownField = await operator.post('/api/admin/v1/channel-agreements').send({ channelId, effectiveFrom: '2030-01-01', perEvent: [], rate: 1 });
    expect(unknownField.status).toBe(400);
    const nothingPaid = await operator.post('/api/admin/v1/channel-agreements').send({ channelId, effectiveFrom: '2030-01-01' });
    expect(nothingPaid.status).toBe(400);
    expect(nothingPaid.body.error.fields).toEqual({ perEvent: '请至少约定一项计费：按事件单价或佣金分成' });
    const missing = await operator.post('/api/admin/v1/channel-agreements').send({ channelId: 'no-such-channel', effectiveFrom: '2030-01-01', sharePercent: '5' });
    expect(missing.status).toBe(404);

    const v2 = await operator
      .post('/api/admin/v1/channel-agreements')
      .send({ channelId, perEvent: [{ rule: 'approval', amount: '20.5', tiers: [{ fromCount: 10, amount: 30 }] }], sharePercent: 12.5, effectiveFrom: '2030-01-01', note: '提价' });
    expect(v2.status).toBe(201);
    expect(v2.body).toMatchObject({ version: 2, shareRate: '0.125000', perEvent: [{ rule: 'approval', amountFen: 2_050, tiers: [{ fromCount: 10, amountFen: 3_000 }] }], monthlyCapFen: null });
    const overlap = await operator.post('/api/admin/v1/channel-agreements').send({ channelId, sharePercent: '5', effectiveFrom: '2029-06-01' });
    expect(overlap.status).toBe(409);
    expect(overlap.body.error.code).toBe('agreement_overlap');
  });
});

describe('channel statements', () => {
  beforeAll(async () => {
    const payouts = t.container.services.channelPayouts;
    await attributeNew(new Date('2026-11-03T02:00:00Z'), 'camp-1');
    await attributeNew(new Date('2026-11-04T02:00:00Z'), 'camp-1');
    // 21 registrations within 10 minutes on one sub-ID: invalid traffic
    for (let i = 0; i < 21; i++) await attributeNew(new Date(new Date('2026-11-05T02:00:00Z').getTime() + i * 10_000), 'burst');
    await payouts.postPayables(new Date('2026-12-01T02:00:00+08:00'), { from: new Date('2026-11-01T00:00:00Z') });
    const closed = await payouts.closeMonth('2026-11', { now: new Date('2026-12-01T02:10:00+08:00'), channelIds: [channelId] });
    statementId = closed.created[0]!;
  });

  it('lists and shows the statement with excluded lines and their evidence in words; issuing asks for the confirmation', async () => {
    const index = await operator.get('/admin/channel-payouts').expect(200);
    expect(index.text).toMatch(new RegExp(`data-channel-id="${channelId}"[\\s\\S]*?data-testid="owed">¥20.00<`));
    const list = await operator.get('/admin/channel-payouts/statements').expect(200);
    expect(list.text).toContain(`data-statement-id="${statementId}"`);
    const page = await operator.get(`/admin/channel-payouts/statements/${statementId}`).expect(200);
    expect(page.text).toContain('¥20.00');
    expect(page.text).toContain('短时间内同一渠道注册过多');
    expect(page.text).toContain('未计费 · 短时间内同一渠道注册过多：21 笔');
    expect(page.text).toContain('注册：2 笔，¥20.00');
    expect(page.text).toContain('的 10 分钟内注册 21 个（上限 20 个）');
    await operator.get('/admin/channel-payouts/statements/no-such-statement').expect(404);

    const csrf = csrfFrom(page.text);
    const unconfirmed = await operator.post(`/admin/channel-payouts/statements/${statementId}/issue`).type('form').send({ _csrf: csrf });
    expect(unconfirmed.status).toBe(400);
    expect(unconfirmed.text).toContain('请勾选确认');
    await operator.post(`/admin/channel-payouts/statements/${statementId}/issue`).type('form').send({ _csrf: csrf, confirm: 'yes' }).expect(303);
    const again = await operator.post(`/admin/channel-payouts/statements/${statementId}/issue`).type('form').send({ _csrf: csrf, confirm: 'yes' });
    expect(again.status).toBe(409);

    const closeBad = await operator.post('/admin/channel-payouts/statements/close').type('form').send({ _csrf: csrf, period: '2099-01', confirm: 'yes' });
    expect(closeBad.status).toBe(400);
    expect(closeBad.text).toContain('只能关闭已结束的月份');
  });

  it('the API shows the statement; a dispute is resolved; the payment must equal the total (409), once', async () => {
    const json = await operator.get(`/api/admin/v1/channel-statements/${statementId}`).expect(200);
    expect(json.body).toMatchObject({ status: 'issued', totalFen: 2_000, lineCount: 23, excludedCount: 21 });
    expect(json.body.subtotals).toEqual({
      rules: [{ rule: 'registration', label: '注册', count: 2, amountFen: 2_000 }],
      adjustmentsFen: 0,
      excluded: [{ code: 'burst', label: '短时间内同一渠道注册过多', count: 21 }],
    });
    const excluded = json.body.lines.find((l: { kind: string }) => l.kind === 'excluded');
    expect(excluded.evidence).toMatchObject({ code: 'burst', evidence: { count: 21, threshold: 20, subId: 'burst' } });
    await operator.get('/api/admin/v1/channel-statements/no-such-statement').expect(404);
    expect((await operator.get('/api/admin/v1/channel-statements').query({ channelId }).expect(200)).body.items.map((s: { id: string }) => s.id)).toEqual([statementId]);
    await operator.get('/api/admin/v1/channel-statements').query({ status: 'lost' }).expect(400);

    // no dispute on the line yet
    await operator.post(`/api/admin/v1/channel-statement-lines/${excluded.id}/resolution`).send({ action: 'reject', note: '无异议' }).expect(404);
    await t.container.services.channelPayouts.disputeLine(channelId, excluded.id, '均为真实用户', { kind: 'anonymous', id: 'channel' });
    const paying = await operator.post(`/api/admin/v1/channel-statements/${statementId}/payments`).send({ amount: '20.00', paidOn: '2026-12-05', reference: 'CH-1' });
    expect(paying.status).toBe(409);
    expect(paying.body.error.code).toBe('statement_disputed');

    const page = await operator.get(`/admin/channel-payouts/statements/${statementId}`).expect(200);
    expect(page.text).toContain('渠道：均为真实用户');
    const badResolve = await operator.post(`/admin/channel-payouts/lines/${excluded.id}/resolve?statement=${statementId}`).type('form').send({ _csrf: csrfFrom(page.text), action: 'accept', amount: '', note: '核实' });
    expect(badResolve.status).toBe(400);
    const resolved = await operator.post(`/api/admin/v1/channel-statement-lines/${excluded.id}/resolution`).send({ action: 'reject', note: '注册时间集中在 3 分钟内，维持原判' });
    expect(resolved.status).toBe(200);
    expect(resolved.body).toMatchObject({ adjustmentId: null, statement: { status: 'issued' } });
    const twice = await operator.post(`/api/admin/v1/channel-statement-lines/${excluded.id}/resolution`).send({ action: 'reject', note: '再次' });
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('dispute_resolved');

    const wrong = await operator.post(`/api/admin/v1/channel-statements/${statementId}/payments`).send({ amount: '19.99', paidOn: '2026-12-05', reference: 'CH-1' });
    expect(wrong.status).toBe(409);
    expect(wrong.body.error).toMatchObject({ code: 'payment_amount_mismatch', fields: { amount: '付款金额须等于结算单应付金额 ¥20.00' } });
    const badBody = await operator.post(`/api/admin/v1/channel-statements/${statementId}/payments`).send({ amount: '20', paidOn: 'yesterday', reference: 'CH-1' });
    expect(badBody.status).toBe(400);
    const paid = await operator.post(`/api/admin/v1/channel-statements/${statementId}/payments`).send({ amount: '20.00', paidOn: '2026-12-05', reference: 'CH-1' });
    expect(paid.status).toBe(201);
    expect(paid.body).toMatchObject({ status: 'paid', payment: { amountFen: 2_000, reference: 'CH-1' } });
    const repeat = await operator.post(`/api/admin/v1/channel-statements/${statementId}/payments`).send({ amount: '20.00', paidOn: '2026-12-05', reference: 'CH-2' });
    expect(repeat.status).toBe(409);
    expect(repeat.body.error.code).toBe('statement_paid');
    const shown = await operator.get(`/admin/channel-payouts/statements/${statementId}`).expect(200);
    expect(shown.text).toContain('CH-1');
    expect(shown.text).toContain('已付款');
  });
});
