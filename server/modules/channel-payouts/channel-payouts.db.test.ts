import { randomUUID } from 'node:crypto';
import { and, eq, inArray, like, sql } from 'drizzle-orm';
import { auditLog } from '../audit/audit.schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../../test/support/app';
import { apply, consumerAgent } from '../../../test/support/http';
import { queryRows, type Database } from '../../db/client';
import { accounts } from '../accounts/accounts.schema';
import { channelAttributions, channels } from '../channels/channels.schema';
import { riskFlags } from '../risk/risk.schema';
import { ledgerJournals } from '../settlement/settlement.schema';
import { accountBalance } from '../settlement/ledger';
import { shanghaiMonth } from '../settlement';
import { channelPayables, channelPayableReversals, channelPayoutExclusions } from './channel-payouts.schema';
import type { JobDefinition } from '../../jobs/job';
import { channelAccounts, channelPayoutJobs, type ChannelPayoutsService } from './index';

const operator = { kind: 'operator' as const, id: 'op_test' };
const HOUR = 3600_000;
const DAY = 24 * HOUR;

let t: TestApp;
let db: Database;
let payouts: ChannelPayoutsService;
let n = 0;

beforeAll(async () => {
  t = await startTestApp();
  db = t.container.database.db;
  payouts = t.container.services.channelPayouts;
});
afterAll(() => t?.close());

async function newChannel(): Promise<string> {
  const id = `ch_test_${++n}_${randomUUID().slice(0, 6)}`;
  await db.insert(channels).values({ id, code: `t${n}${randomUUID().slice(0, 4)}`.toLowerCase(), name: `测试渠道${n}`, type: 'agent' });
  return id;
}

async function bareAccount(): Promise<string> {
  const id = `acc_ch_${randomUUID()}`;
  await db.insert(accounts).values({ id, kind: 'consumer', role: 'consumer', loginHash: id, loginEnc: 'x', loginMasked: '138****0000', passwordHash: 'x', displayNameEnc: 'x' });
  return id;
}

async function attribute(accountId: string, channelId: string, at: Date, options: { subId?: string; device?: string } = {}): Promise<void> {
  await db.insert(channelAttributions).values({ accountId, channelId, subId: options.subId ?? '', touchedAt: at, attributedAt: at, device: options.device ?? '' });
}

/** Sum of entries per journal must be zero, and over the whole ledger. */
async function assertLedgerBalances(): Promise<void> {
  const unbalanced = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from (select journal_id from ledger_entries group by journal_id having sum(amount_fen) <> 0) x`);
  expect(unbalanced[0]!.n).toBe(0);
  const [total] = await queryRows<{ s: string }>(db, sql`select coalesce(sum(amount_fen), 0)::text as s from ledger_entries`);
  expect(total!.s).toBe('0');
}

describe('payables in the ledger', () => {
  it('posts once per source event under 50 concurrent duplicate runs, with tiers, and the ledger balances', async () => {
    const channelId = await newChannel();
    await payouts.createAgreement(
      { channelId, perEvent: [{ rule: 'registration', amountFen: 1_000, tiers: [{ fromCount: 3, amountFen: 1_500 }] }], effectiveFrom: new Date('2026-01-01T00:00:00+08:00') },
      { actor: operator },
    );
    const ids = [await bareAccount(), await bareAccount(), await bareAccount()];
    for (const [i, id] of ids.entries()) await attribute(id, channelId, new Date(`2026-11-0${i + 2}T02:00:00Z`), { subId: `s${i}` });

    const now = new Date();
    const runs = await Promise.all(Array.from({ length: 50 }, () => payouts.postPayables(now, { from: new Date('2026-11-01T00:00:00Z') })));
    expect(runs.reduce((s, r) => s + r.posted, 0)).toBe(3);

    const rows = await db.select().from(channelPayables).where(eq(channelPayables.channelId, channelId));
    expect(rows.map((r) => [r.sourceKey, r.ordinal, r.amountFen]).sort()).toEqual(
      [
        [`chpay:registration:${ids[0]}`, 1, 1_000],
        [`chpay:registration:${ids[1]}`, 2, 1_000],
        [`chpay:registration:${ids[2]}`, 3, 1_500],
      ].sort(),
    );
    const journals = await db.select().from(ledgerJournals).where(inArray(ledgerJournals.sourceKey, rows.map((r) => r.sourceKey)));
    expect(journals).toHaveLength(3);
    expect(journals.every((j) => j.kind === 'channel_payable')).toBe(true);
    expect(await accountBalance(db, channelAccounts.payable(channelId))).toBe(-3_500);
    expect(await accountBalance(db, channelAccounts.expense('registration'))).toBeGreaterThanOrEqual(3_500);
    await assertLedgerBalances();

    // the watermark moved: a later tick without `from` re-reads only a trailing day and posts nothing again
    const again = await payouts.postPayables(new Date(now.getTime() + 1_000));
    expect(again.posted).toBe(0);
    expect(again.from.getTime()).toBe(now.getTime() - DAY);
  });

  it('a first agreement that starts in the past rewinds the watermark: the next tick pays the events since its start', async () => {
    const channelId = await newChannel();
    const id = await bareAccount();
    await attribute(id, channelId, new Date('2026-11-15T02:00:00Z'));
    const now = new Date();
    await payouts.postPayables(now);
    expect(await db.select().from(channelPayables).where(eq(channelPayables.channelId, channelId))).toEqual([]);
    await payouts.createAgreement({ channelId, perEvent: [{ rule: 'registration', amountFen: 700, tiers: [] }], effectiveFrom: new Date('2026-11-01T00:00:00+08:00') });
    const run = await payouts.postPayables(new Date(now.getTime() + 1_000));
    // from its start, less the trailing day every tick re-reads
    expect(run.from).toEqual(new Date('2026-10-30T16:00:00Z'));
    expect((await db.select().from(channelPayables).where(eq(channelPayables.channelId, channelId))).map((p) => [p.accountId, p.amountFen])).toEqual([[id, 700]]);
  });

  it("shares the platform's commission (rounded down) and reverses a withdrawn application within the window, not after, once", async () => {
    const channelId = await newChannel();
    await payouts.createAgreement(
      { channelId, perEvent: [{ rule: 'application', amountFen: 3_000, tiers: [] }], shareRate: '0.333333', reversalWindowDays: 30, effectiveFrom: new Date('2026-01-01T00:00:00+08:00') },
      { actor: operator },
    );
    const consumer = await consumerAgent(t.app);
    const start = new Date(Date.now() - HOUR);
    await attribute(consumer.id, channelId, start);
    const application = await apply(consumer.agent, t.fixtures.institutionA.productId);
    const now = new Date(Date.now() + 1_000);
    await payouts.postPayables(now, { from: start });

    const rows = await db.select().from(channelPayables).where(eq(channelPayables.channelId, channelId));
    // CPL of ¥20.00 × 33.3333% = 666.666 fen → 666
    expect(rows.map((r) => [r.rule, r.sourceId, r.baseAmountFen, r.amountFen]).sort()).toEqual(
      [
        ['application', application.id, null, 3_000],
        ['commission_share', `cpl:${application.id}`, t.fixtures.agreement.cplFen, 666],
      ].sort(),
    );

    await t.container.services.applications.withdraw(consumer.id, application.id, { kind: 'consumer', id: consumer.id });
    // after the window: nothing is reversed
    expect(await payouts.reverseInvalid(new Date(now.getTime() + 31 * DAY))).toBe(0);
    expect(await db.select().from(channelPayableReversals).where(like(channelPayableReversals.sourceKey, `chpay:application:${application.id}`))).toEqual([]);
    // within the window: reversed once, with a reversing journal, however often it runs
    const within = new Date(now.getTime() + DAY);
    expect(await payouts.reverseInvalid(within)).toBeGreaterThanOrEqual(1);
    expect(await payouts.reverseInvalid(within)).toBe(0);
    const [reversal] = await db.select().from(channelPayableReversals).where(eq(channelPayableReversals.sourceKey, `chpay:application:${application.id}`));
    expect(reversal).toMatchObject({ cause: 'application_withdrawn', reason: '申请已撤回' });
    const revJournals = await db.select().from(ledgerJournals).where(eq(ledgerJournals.sourceKey, `rev:chpay:application:${application.id}`));
    expect(revJournals).toHaveLength(1);
    const open = (await payouts.payablesOf(channelId)).filter((p) => !p.reversed).reduce((s, p) => s + p.amountFen, 0);
    expect(await accountBalance(db, channelAccounts.payable(channelId))).toBe(-open);
    await assertLedgerBalances();

    // the statement of the month carries the payables and, as negative lines, their reversals
    const closed = await payouts.closeMonth(shanghaiMonth(within), { now: new Date(within.getTime() + 40 * DAY), channelIds: [channelId] });
    const s = await payouts.detail(closed.created[0]!);
    const reversalLine = s.lines.find((l) => l.kind === 'reversal' && l.rule === 'application')!;
    expect(reversalLine).toMatchObject({ amountFen: -3_000, sourceKey: `rev:chpay:application:${application.id}` });
    expect(reversalLine.description).toContain('申请已撤回');
    expect(s.totalFen).toBe(open);
  });

  it('reverses a paid registration when the account is flagged later, within the window', async () => {
    const channelId = await newChannel();
    await payouts.createAgreement({ channelId, perEvent: [{ rule: 'registration', amountFen: 800, tiers: [] }], reversalWindowDays: 10, effectiveFrom: new Date('2026-01-01T00:00:00+08:00') });
    const id = await bareAccount();
    const at = new Date(Date.now() - 2 * DAY);
    await attribute(id, channelId, at);
    const now = new Date();
    expect(await payouts.postEvent({ rule: 'registration', sourceId: id, accountId: id, channelId, subId: '', at, applicationId: null }, now)).toBe('posted');
    await db.insert(riskFlags).values({ accountId: id, code: 'id_phone_mismatch', detail: {} });
    expect(await payouts.reverseInvalid(new Date(now.getTime() + 1_000))).toBe(1);
    const [reversal] = await db.select().from(channelPayableReversals).where(eq(channelPayableReversals.sourceKey, `chpay:registration:${id}`));
    expect(reversal!.cause).toBe('invalid_traffic');
    expect(reversal!.reason).toContain('身份证号已绑定其他手机号');
    expect(await accountBalance(db, channelAccounts.payable(channelId))).toBe(0);
  });
});

describe('invalid traffic found after payment', () => {
  it('a burst or a shared device that grows later reverses what was paid within the window, with the evidence', async () => {
    const channelId = await newChannel();
    await payouts.createAgreement({ channelId, perEvent: [{ rule: 'registration', amountFen: 500, tiers: [] }], effectiveFrom: new Date('2026-01-01T00:00:00+08:00') });
    const start = Date.now() - 3 * HOUR;
    const device = `dev-later-${channelId}`;
    for (let i = 0; i < 20; i++) await attribute(await bareAccount(), channelId, new Date(start + i * 15_000), { subId: 'wave' });
    for (let i = 0; i < 3; i++) await attribute(await bareAccount(), channelId, new Date(start + HOUR + i * HOUR / 4), { subId: 'dev', device });
    const first = await payouts.postPayables(new Date(start + 2 * HOUR), { from: new Date(start - HOUR) });
    expect(first).toMatchObject({ posted: 23, excluded: 0, reversed: 0 });

    // the 21st registration of the wave and a 4th account on the device arrive
    await attribute(await bareAccount(), channelId, new Date(start + 6 * 60_000), { subId: 'wave' });
    await attribute(await bareAccount(), channelId, new Date(start + 2 * HOUR + 60_000), { subId: 'dev', device });
    const second = await payouts.postPayables(new Date(start + 2 * HOUR + 120_000));
    expect(second).toMatchObject({ posted: 0, excluded: 2, reversed: 23 });
    const reversals = await db
      .select()
      .from(channelPayableReversals)
      .innerJoin(channelPayables, eq(channelPayables.sourceKey, channelPayableReversals.sourceKey))
      .where(eq(channelPayables.channelId, channelId));
    expect(reversals.filter((r) => r.channel_payable_reversals.evidence?.code === 'burst')).toHaveLength(20);
    expect(reversals.filter((r) => r.channel_payable_reversals.evidence?.code === 'shared_device')).toHaveLength(3);
    expect(reversals[0]!.channel_payable_reversals.cause).toBe('invalid_traffic');
    expect(await accountBalance(db, channelAccounts.payable(channelId))).toBe(0);
    // nothing more the next time
    expect((await payouts.postPayables(new Date(start + 2 * HOUR + 180_000))).reversed).toBe(0);
    await assertLedgerBalances();
  });
});

describe('invalid traffic, statements, disputes and payment', () => {
  let channelId: string;
  let otherChannel: string;
  let statementId: string;
  const clean: string[] = [];
  const now = new Date('2026-12-01T02:10:00+08:00');

  beforeAll(async () => {
    channelId = await newChannel();
    otherChannel = await newChannel();
    await payouts.createAgreement({ channelId, perEvent: [{ rule: 'registration', amountFen: 1_000, tiers: [] }], effectiveFrom: new Date('2026-01-01T00:00:00+08:00') });
    // a burst: 21 registrations on one sub-ID within 7 minutes (the setting allows 20)
    const burstStart = new Date('2026-11-10T02:00:00Z').getTime();
    for (let i = 0; i < 21; i++) await attribute(await bareAccount(), channelId, new Date(burstStart + i * 20_000), { subId: 'camp-7' });
    // four accounts on one device (risk.maxAccountsPerDevice allows 3), days apart
    for (let i = 0; i < 4; i++) await attribute(await bareAccount(), channelId, new Date(`2026-11-1${i + 2}T03:00:00Z`), { subId: 'dev', device: `dev-shared-${channelId}` });
    // an account with a fraud flag, and one with only an overdue loan (not invalid traffic)
    const flagged = await bareAccount();
    await attribute(flagged, channelId, new Date('2026-11-20T03:00:00Z'));
    await db.insert(riskFlags).values({ accountId: flagged, code: 'shared_device', detail: { accounts: 5, threshold: 3 }, createdAt: new Date('2026-11-20T04:00:00Z') });
    const overdue = await bareAccount();
    await attribute(overdue, channelId, new Date('2026-11-21T03:00:00Z'));
    await db.insert(riskFlags).values({ accountId: overdue, code: 'loan_overdue', detail: {}, createdAt: new Date('2026-11-21T04:00:00Z') });
    clean.push(overdue);
    const fine = await bareAccount();
    await attribute(fine, channelId, new Date('2026-11-22T03:00:00Z'), { subId: 'camp-7' });
    clean.push(fine);
    await payouts.postPayables(now, { from: new Date('2026-11-01T00:00:00Z') });
  });

  it('excludes invalid traffic with its evidence instead of a journal', async () => {
    const exclusions = await db.select().from(channelPayoutExclusions).where(eq(channelPayoutExclusions.channelId, channelId));
    expect(exclusions.filter((x) => x.code === 'burst')).toHaveLength(21);
    expect(exclusions.filter((x) => x.code === 'shared_device')).toHaveLength(4);
    expect(exclusions.filter((x) => x.code === 'risk_flag')).toHaveLength(1);
    const burst = exclusions.find((x) => x.code === 'burst')!;
    expect(burst.evidence).toMatchObject({ code: 'burst', evidence: { subId: 'camp-7', count: 21, threshold: 20 } });
    expect(exclusions.find((x) => x.code === 'shared_device')!.evidence).toMatchObject({ evidence: { accounts: 4, threshold: 3 } });
    const journals = await db.select().from(ledgerJournals).where(inArray(ledgerJournals.sourceKey, exclusions.map((x) => x.sourceKey)));
    expect(journals).toEqual([]);
    const paid = await db.select().from(channelPayables).where(eq(channelPayables.channelId, channelId));
    expect(paid.map((p) => p.accountId).sort()).toEqual([...clean].sort());
  });

  it('closes the month into a channel statement with paid and excluded lines (evidence in words); a rerun changes nothing', async () => {
    const first = await payouts.closeMonth('2026-11', { now, channelIds: [channelId, otherChannel] });
    expect(first.created).toHaveLength(1);
    expect(first.empty).toBe(1);
    statementId = first.created[0]!;
    const s = await payouts.detail(statementId);
    expect(s).toMatchObject({ period: '2026-11', status: 'draft', totalFen: 2_000, lineCount: 28, excludedCount: 26 });
    const excluded = s.lines.filter((l) => l.kind === 'excluded');
    expect(excluded).toHaveLength(26);
    expect(excluded.every((l) => l.amountFen === 0)).toBe(true);
    expect(excluded.find((l) => l.subId === 'camp-7')!.description).toContain('的 10 分钟内注册 21 个（上限 20 个）');
    expect(excluded.find((l) => l.subId === 'dev')!.description).toMatch(/设备 \S{8} 上已有 4 个账号（上限 3 个）/);
    expect(excluded.some((l) => l.description.includes('账号有风险提示：同一设备注册或申请的账号过多'))).toBe(true);
    expect(s.lines.filter((l) => l.kind === 'payable').map((l) => l.amountFen)).toEqual([1_000, 1_000]);
    expect(await payouts.closeMonth('2026-11', { now, channelIds: [channelId] })).toMatchObject({ created: [], existing: [statementId] });
    await expect(payouts.closeMonth('2026-12', { now })).rejects.toMatchObject({ status: 400, fields: { period: '只能关闭已结束的月份' } });
  });

  it('disputes, resolution and payment answer with exact statuses; the adjustment lands on the next statement', async () => {
    const channelActor = { kind: 'anonymous' as const, id: 'channel-staff' };
    // a draft is not the channel's to see
    expect(await payouts.statementsForChannel(channelId)).toEqual([]);
    await expect(payouts.statement(channelId, statementId)).rejects.toMatchObject({ status: 404 });
    await expect(payouts.recordPayment(statementId, { amountFen: 2_000, paidAt: now, reference: 'B-1' }, operator, now)).rejects.toMatchObject({ status: 409, code: 'statement_not_issued' });
    expect(await payouts.issue(statementId, operator, now)).toBe('issued');
    await expect(payouts.issue(statementId, operator, now)).rejects.toMatchObject({ status: 409, code: 'statement_not_draft' });

    expect((await payouts.statementsForChannel(channelId)).map((s) => s.id)).toEqual([statementId]);
    await expect(payouts.statement(otherChannel, statementId)).rejects.toMatchObject({ status: 404 });
    const s = await payouts.statement(channelId, statementId, channelActor);
    const viewed = await db.select().from(auditLog).where(and(eq(auditLog.action, 'channel_statement.viewed'), eq(auditLog.objectId, statementId)));
    expect(viewed).toHaveLength(1);
    const excludedLine = s.lines.find((l) => l.kind === 'excluded')!;
    await expect(payouts.disputeLine(channelId, excludedLine.id, ' ', channelActor, now)).rejects.toMatchObject({ status: 400, fields: { reason: '请填写异议原因（2–500 字）' } });
    await expect(payouts.disputeLine(otherChannel, excludedLine.id, '这是真实用户', channelActor, now)).rejects.toMatchObject({ status: 404 });
    await expect(payouts.disputeLine(channelId, 999_999_999, '这是真实用户', channelActor, now)).rejects.toMatchObject({ status: 404 });
    await payouts.disputeLine(channelId, excludedLine.id, '这是真实用户，同一活动集中注册', channelActor, now);
    await expect(payouts.disputeLine(channelId, excludedLine.id, '再次提出', channelActor, now)).rejects.toMatchObject({ status: 409, code: 'line_disputed' });
    expect((await payouts.detail(statementId)).status).toBe('disputed');
    await expect(payouts.recordPayment(statementId, { amountFen: 2_000, paidAt: now, reference: 'B-1' }, operator, now)).rejects.toMatchObject({ status: 409, code: 'statement_disputed' });

    const payable = s.lines.find((l) => l.kind === 'payable')!;
    await expect(payouts.resolveDispute(payable.id, { action: 'reject', note: '无异议' }, operator, now)).rejects.toMatchObject({ status: 404 });
    await expect(payouts.resolveDispute(excludedLine.id, { action: 'accept', amountFen: 0, note: '核实' }, operator, now)).rejects.toMatchObject({ status: 400, fields: { amount: '调整金额不能为 0' } });
    const { adjustmentId } = await payouts.resolveDispute(excludedLine.id, { action: 'accept', amountFen: 1_000, note: '核实为真实用户，补付' }, operator, now);
    expect(adjustmentId).toBeTruthy();
    await expect(payouts.resolveDispute(excludedLine.id, { action: 'reject', note: '重复处理' }, operator, now)).rejects.toMatchObject({ status: 409, code: 'dispute_resolved' });
    expect((await payouts.detail(statementId)).status).toBe('issued');
    await expect(payouts.disputeLine(channelId, excludedLine.id, '再次提出', channelActor, now)).rejects.toMatchObject({ status: 409, code: 'line_resolved' });

    await expect(payouts.recordPayment(statementId, { amountFen: 2_001, paidAt: now, reference: 'B-1' }, operator, now)).rejects.toMatchObject({
      status: 409,
      code: 'payment_amount_mismatch',
      fields: { amount: '付款金额须等于结算单应付金额 ¥20.00' },
    });
    await expect(payouts.recordPayment(statementId, { amountFen: 2_000, paidAt: now, reference: ' ' }, operator, now)).rejects.toMatchObject({ status: 400, fields: { reference: '请填写银行流水号' } });
    const payment = await payouts.recordPayment(statementId, { amountFen: 2_000, paidAt: now, reference: 'B-1' }, operator, now);
    expect(payment.amountFen).toBe(2_000);
    expect((await payouts.detail(statementId)).status).toBe('paid');
    await expect(payouts.recordPayment(statementId, { amountFen: 2_000, paidAt: now, reference: 'B-2' }, operator, now)).rejects.toMatchObject({ status: 409, code: 'statement_paid' });
    await expect(payouts.disputeLine(channelId, payable.id, '金额不对', channelActor, now)).rejects.toMatchObject({ status: 409, code: 'statement_paid' });

    // owed: the adjustment only (payables 2000 − payment 2000 + adjustment 1000)
    expect(await accountBalance(db, channelAccounts.payable(channelId))).toBe(-1_000);
    const december = await payouts.closeMonth('2026-12', { now: new Date('2027-01-01T02:10:00+08:00'), channelIds: [channelId] });
    const next = await payouts.detail(december.created[0]!);
    expect(next.lines.map((l) => [l.kind, l.amountFen, l.description])).toEqual([['adjustment', 1_000, '调整：核实为真实用户，补付']]);
    expect(next.totalFen).toBe(1_000);
    await assertLedgerBalances();
  });
});

// last: the close job moves the shared watermark to its (future) instant
describe('the jobs', () => {
  it('channel-statements-close posts what is new, then closes the month before into one statement per channel; a rerun changes nothing', async () => {
    const channelId = await newChannel();
    await payouts.createAgreement({ channelId, perEvent: [{ rule: 'registration', amountFen: 900, tiers: [] }], effectiveFrom: new Date('2026-01-01T00:00:00+08:00') });
    const id = await bareAccount();
    await attribute(id, channelId, new Date('2027-02-27T02:00:00Z'));
    const work = channelPayoutJobs(payouts);
    expect(work.map((w) => w.name)).toEqual(['channel-payables', 'channel-statements-close']);
    const close = work.find((w) => w.name === 'channel-statements-close') as JobDefinition;
    expect(close.schedule).toBe('10 2 1 * *');
    const now = new Date('2027-03-01T02:10:00+08:00');
    const result = await close.run({ now, signal: new AbortController().signal });
    expect(result.detail).toMatchObject({ period: '2027-02' });
    const mine = (await payouts.list({ channelId })).filter((s) => s.period === '2027-02');
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ totalFen: 900, lineCount: 1, status: 'draft' });
    const again = await close.run({ now, signal: new AbortController().signal });
    expect(again.processed).toBe(0);
  });
});
