import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, type Database } from '../../db/client';
import { TestClock } from '../../lib/clock';
import { ConflictError, NotFoundError, ValidationError } from '../../lib/errors';
import { startTestApp, type TestApp } from '../../../test/support/app';
import { BI_NOW, D, seedBi, type BiSeed } from '../../../test/support/bi';
import type { AuditActor } from '../audit';
import { parseSelection, type BiSelection } from './bi-model';
import type { BiService } from './bi.service';
import { analyticsJobs } from './analytics.jobs';
import type { JobDefinition, TickerDefinition } from '../../jobs/job';

let t: TestApp;
let bi: BiService;
let db: Database;
let seed: BiSeed;
let operatorId: string;
const actor = (): AuditActor & { id: string } => ({ kind: 'operator', id: operatorId });
const sel = (q: Record<string, unknown>): BiSelection => parseSelection({ from: D(1), to: D(20), ...q }, D(20));
const total = async (q: Record<string, unknown>, m: string) => (await bi.query(sel({ ...q, measures: m }))).total[m as 'applications']!.value;

beforeAll(async () => {
  t = await startTestApp({ clock: new TestClock(BI_NOW) });
  bi = t.container.services.bi;
  db = t.container.database.db;
  seed = await seedBi(t.container, t.fixtures);
  operatorId = (await queryRows<{ id: string }>(db, sql`select id from accounts where kind = 'operator' limit 1`))[0]!.id;
  await bi.rebuild(D(1), D(20));
});
afterAll(() => t?.close());

describe('the BI rollup', () => {
  it('matches the raw records of the seeded days, measure by measure', async () => {
    expect(await total({}, 'visits')).toBe(4); // v1..v4; an impression is not a visit
    expect(await total({}, 'registrations')).toBe(3);
    expect(await total({}, 'applications')).toBe(3);
    expect(await total({}, 'approvals')).toBe(1);
    expect(await total({}, 'approvalRate')).toBe(0.5);
    expect(await total({}, 'disbursedAmount')).toBe(5_000_000);
    expect(await total({}, 'commission')).toBe(10_000);
    expect(await total({}, 'channelCost')).toBe(2_000); // ¥30 owed, ¥10 reversed
    expect(await total({}, 'roi')).toBe(8_000);
    // the loan is outstanding from the 12th to the 20th (9 loan-days), overdue from the 14th (7)
    expect(await total({}, 'overdueRate')).toBeCloseTo(7 / 9, 10);
    // and each count equals the plain SQL count over the raw tables
    const [raw] = await queryRows<{ apps: number; regs: number }>(
      db,
      sql`select (select count(*)::int from applications where created_at >= '2026-02-28T16:00:00Z' and created_at < '2026-03-20T16:00:00Z') as apps,
        (select count(*)::int from accounts where kind = 'consumer' and created_at >= '2026-02-28T16:00:00Z' and created_at < '2026-03-20T16:00:00Z') as regs`,
    );
    expect(await total({}, 'applications')).toBe(raw!.apps);
    expect(await total({}, 'registrations')).toBe(raw!.regs);
  });

  it('recomputes a day idempotently: the same rows after a second rebuild, no duplicates', async () => {
    const snapshot = () => queryRows(db, sql`select day::text, institution_id, product_id, channel_id, sub_id, region, credit_band, purpose, device, visits, registrations, applications, approvals, rejections, disbursed_fen, commission_fen, channel_cost_fen, active_loans, overdue_loans from bi_daily_facts order by 1,2,3,4,5,6,7,8,9`);
    const before = await snapshot();
    expect(before.length).toBeGreaterThan(5);
    await bi.rebuild(D(10), D(12));
    await bi.rebuild(D(10), D(12));
    expect(await snapshot()).toEqual(before);
    const [days] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from bi_rollup_days where day between '2026-03-01' and '2026-03-20'`);
    expect(days!.n).toBe(20);
  });

  it('fills past days never rolled up, a few at a time, oldest first', async () => {
    await db.execute(sql`delete from bi_rollup_days where day < '2026-03-05'`);
    const first = await bi.fillMissing(BI_NOW, 90, 10);
    expect(first).toMatchObject({ days: 10, more: true });
    let rounds = 1;
    while ((await bi.fillMissing(BI_NOW, 90, 10)).more) rounds += 1;
    expect(rounds).toBeGreaterThan(5);
    expect(await bi.fillMissing(BI_NOW, 90, 10)).toEqual({ days: 0, rows: 0, more: false });
    const [n] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from bi_rollup_days where day between '2025-12-20' and '2026-03-19'`);
    expect(n!.n).toBe(90);
  });

  it('keeps the dimensions: channel and sub-ID, region, credit band, purpose, device, category', async () => {
    const byChannel = await bi.query(sel({ measures: 'applications,visits,registrations', rows: 'channel' }));
    const row = (key: string) => byChannel.rowTotals[byChannel.rows.findIndex((r) => r.key === key)]!;
    expect(row(seed.channelX).applications!.value).toBe(1);
    expect(row(seed.channelY).applications!.value).toBe(1);
    expect(row('organic').applications!.value).toBe(1);
    expect(row('organic').visits!.value).toBe(2);
    expect(byChannel.rows.find((r) => r.key === seed.channelX)!.label).toBe('抖音（dy01）');
    expect(byChannel.rows.find((r) => r.key === 'organic')!.label).toBe('自然流量');
    const bySub = await bi.query(sel({ measures: 'registrations', rows: 'subId' }));
    expect(bySub.rows.map((r) => r.key).sort()).toEqual([`${seed.channelX}/c7`, `${seed.channelY}/`, 'organic/'].sort());
    expect(bySub.rows.find((r) => r.key === `${seed.channelX}/c7`)!.label).toBe('抖音（dy01） / c7');
    const keys = async (rows: string, m = 'applications') => Object.fromEntries((await bi.query(sel({ measures: m, rows }))).rows.map((r, i, all) => [r.key, all.length && i]));
    expect(Object.keys(await keys('region')).sort()).toEqual(['上海', '杭州']);
    expect(Object.keys(await keys('purpose')).sort()).toEqual(['消费', '装修']);
    expect(Object.keys(await keys('device')).sort()).toEqual(['', 'api']);
    expect(Object.keys(await keys('creditBand')).sort()).toEqual(['', 'fair', 'good']);
    expect(Object.keys(await keys('category'))).toEqual(['信用贷']);
    expect(Object.keys(await keys('device', 'visits')).sort()).toEqual(['api', 'web']);
  });
});

describe('the scheduled work', () => {
  it('declares the nightly rebuild, the today ticker and the alerts job; a second run changes nothing', async () => {
    const work = analyticsJobs(bi);
    expect(work.map((w) => w.name)).toEqual(['bi-rollup', 'bi-rollup-today', 'bi-alerts']);
    const nightly = work[0] as JobDefinition;
    const before = await queryRows(db, sql`select count(*)::int as n, coalesce(sum(applications), 0)::int as apps from bi_daily_facts`);
    const signal = new AbortController().signal;
    expect(await nightly.run({ now: BI_NOW, signal })).toMatchObject({ processed: 7 });
    await nightly.run({ now: BI_NOW, signal });
    expect(await queryRows(db, sql`select count(*)::int as n, coalesce(sum(applications), 0)::int as apps from bi_daily_facts`)).toEqual(before);
    const ticker = work[1] as TickerDefinition;
    expect(ticker.everyMs).toBe(5 * 60_000);
    expect(await ticker.tick({ now: BI_NOW, signal })).toMatchObject({ again: false });
  });
});

describe('pivot queries', () => {
  it('crosses two dimensions with totals and rates with two decimals', async () => {
    const p = await bi.query(sel({ measures: 'applications,approvalRate,disbursedAmount', rows: 'institution', cols: 'day' }));
    const a = p.rows.findIndex((r) => r.key === t.fixtures.institutionA.id);
    const b = p.rows.findIndex((r) => r.key === t.fixtures.institutionB.id);
    const day10 = p.cols.findIndex((c) => c.key === D(10));
    const day11 = p.cols.findIndex((c) => c.key === D(11));
    expect(p.rows[a]!.label).toBe('甲银行');
    expect(p.cells[a]![day10]!.applications).toEqual({ value: 2, text: '2' });
    expect(p.cells[b]![day10]!.applications!.value).toBe(1);
    expect(p.cells[a]![day11]!.approvalRate).toEqual({ value: 1, text: '100.00%' });
    expect(p.cells[b]![day11]!.approvalRate).toEqual({ value: 0, text: '0.00%' });
    expect(p.cells[a]![day10]!.approvalRate).toEqual({ value: null, text: '—' });
    expect(p.rowTotals[a]!.disbursedAmount!.text).toBe('¥50,000.00');
    expect(p.colTotals[day10]!.applications!.value).toBe(3);
    expect(p.total.applications!.value).toBe(3);
    expect(p.total.approvalRate!.text).toBe('50.00%');
  });

  it('groups by week and month, filters, and narrows to a period', async () => {
    const weeks = await bi.query(sel({ measures: 'applications', rows: 'week' }));
    expect(weeks.rows.map((r) => r.key)).toContain('2026-03-09');
    expect(weeks.rowTotals[weeks.rows.findIndex((r) => r.key === '2026-03-09')]!.applications!.value).toBe(3);
    const months = await bi.query(sel({ measures: 'applications', rows: 'month' }));
    expect(months.rows.map((r) => [r.key, r.label])).toEqual([['2026-03-01', '2026-03']]);
    expect(await total({ 'f.channel': seed.channelX }, 'applications')).toBe(1);
    expect(await total({ 'f.region': '上海', 'f.purpose': '装修' }, 'applications')).toBe(2);
    expect(await total({ from: D(11), to: D(20) }, 'applications')).toBe(0);
  });

  it('refuses an unknown measure or dimension naming the field', () => {
    const fields = (q: Record<string, unknown>) => {
      try {
        sel(q);
      } catch (err) {
        expect(err).toBeInstanceOf(ValidationError);
        return Object.keys((err as ValidationError).fields ?? {});
      }
      return [];
    };
    expect(fields({ measures: 'applications,profit' })).toEqual(['measures']);
    expect(fields({ rows: 'colour' })).toEqual(['rows']);
    expect(fields({ rows: 'day', cols: 'day' })).toEqual(['cols']);
    expect(fields({ 'f.colour': 'red' })).toEqual(['filters.colour']);
    expect(fields({ from: '2025-01-01', to: '2026-03-01' })).toEqual(['to']);
  });
});

describe('drill-down', () => {
  it('returns exactly the rows behind a cell, masked, and records the read', async () => {
    const byChannel = sel({ measures: 'applications,roi', rows: 'channel' });
    const apps = await bi.drill(actor(), byChannel, { measure: 'applications', row: seed.channelX });
    expect(apps.rows.map((r) => r.id)).toEqual([seed.apps.a1]);
    expect(apps.total).toBe(1);
    expect(apps.rows[0]).toMatchObject({ borrower: '张**', channel: '抖音（dy01）', region: '上海', institution: '甲银行' });
    // from the channel's ROI into those borrowers' applications
    expect((await bi.drill(actor(), byChannel, { measure: 'roi', row: seed.channelX })).rows.map((r) => r.id)).toEqual([seed.apps.a1]);
    const organic = await bi.drill(actor(), byChannel, { measure: 'applications', row: 'organic' });
    expect(organic.rows.map((r) => r.id)).toEqual([seed.apps.a3]);
    // every cell's rows add up to the cell
    const pivot = await bi.query(sel({ measures: 'applications', rows: 'institution', cols: 'day' }));
    for (const [i, r] of pivot.rows.entries())
      for (const [j, c] of pivot.cols.entries()) {
        const drilled = await bi.drill(actor(), pivot.selection, { measure: 'applications', row: r.key, col: c.key });
        expect(drilled.total).toBe(pivot.cells[i]![j]!.applications!.value);
      }
    const audited = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from audit_log where action = 'bi.drilled'`);
    expect(audited[0]!.n).toBeGreaterThanOrEqual(4);
  });

  it('drills approvals, decisions, disbursements, loans and registrations', async () => {
    const s = sel({ measures: 'approvals', rows: 'channel' });
    expect((await bi.drill(actor(), sel({}), { measure: 'approvals' })).rows.map((r) => r.id)).toEqual([seed.apps.a1]);
    expect((await bi.drill(actor(), sel({}), { measure: 'approvalRate' })).rows.map((r) => r.id).sort()).toEqual([seed.apps.a1, seed.apps.a2].sort());
    const disbursed = await bi.drill(actor(), sel({}), { measure: 'disbursedAmount' });
    expect(disbursed.rows.map((r) => [r.id, r.amountFen])).toEqual([[seed.apps.a1, 5_000_000]]);
    expect((await bi.drill(actor(), sel({}), { measure: 'overdueRate' })).rows.map((r) => r.id)).toEqual([seed.apps.a1]);
    const regs = await bi.drill(actor(), s, { measure: 'registrations', row: seed.channelY });
    expect(regs.rows.map((r) => [r.kind, r.id])).toEqual([['borrower', seed.users.u2]]);
    // a week's key narrows the period to that week
    const week = await bi.drill(actor(), sel({ measures: 'applications', rows: 'week' }), { measure: 'applications', row: '2026-03-16' });
    expect([week.from, week.to, week.total]).toEqual([D(16), D(20), 0]);
    // no row key: the column's total, every channel
    expect((await bi.drill(actor(), s, { measure: 'approvals' })).total).toBe(1);
    await expect(bi.drill(actor(), sel({ rows: 'day' }), { measure: 'approvals', row: 'monday' })).rejects.toBeInstanceOf(ValidationError);
  });
});

describe('saved views', () => {
  it('saves, lists, opens and deletes an operator’s own views only', async () => {
    const s = sel({ measures: 'roi,channelCost', rows: 'channel', 'f.region': '上海' });
    const saved = await bi.saveView(actor(), ' 渠道 ROI ', s);
    expect(saved.name).toBe('渠道 ROI');
    await expect(bi.saveView(actor(), '渠道 ROI', s)).rejects.toBeInstanceOf(ConflictError);
    await expect(bi.saveView(actor(), '  ', s)).rejects.toBeInstanceOf(ValidationError);
    const views = await bi.listViews(operatorId);
    expect(views.map((v) => v.name)).toContain('渠道 ROI');
    expect((await bi.view(operatorId, saved.id)).spec).toEqual(s);
    await expect(bi.view('acc_someone_else', saved.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(bi.deleteView({ kind: 'operator', id: 'acc_someone_else' }, saved.id)).rejects.toBeInstanceOf(NotFoundError);
    await bi.deleteView(actor(), saved.id);
    expect((await bi.listViews(operatorId)).map((v) => v.id)).not.toContain(saved.id);
  });
});

describe('cohorts', () => {
  it('follows each registration week: who applied, was approved, was disbursed by the end of week k', async () => {
    const [all] = await bi.cohorts({ from: D(9), to: D(15) });
    expect(all).toMatchObject({ week: '2026-03-09', size: 3, channel: null });
    expect(all!.applied[0]).toBe(1);
    expect(all!.approved[0]).toBeCloseTo(1 / 3, 10);
    expect(all!.disbursed[0]).toBeCloseTo(1 / 3, 10);
    // week 1 ends on the 24th for the last registration: not over on the 20th
    expect(all!.applied.slice(1)).toEqual([null, null, null, null, null, null, null, null]);
    const byChannel = await bi.cohorts({ from: D(9), to: D(15), byChannel: true });
    expect(byChannel.map((c) => [c.channel, c.size, c.approved[0]])).toEqual([
      [seed.channelX, 1, 1],
      [seed.channelY, 1, 0],
      ['organic', 1, 0],
    ]);
    const one = await bi.cohorts({ from: D(9), to: D(15), channel: seed.channelY });
    expect(one.map((c) => [c.size, c.applied[0], c.channelLabel])).toEqual([[1, 1, '快手（ks02）']]);
  });
});

describe('alerts', () => {
  const fact = (day: string, inst: string, approvals: number, rejections: number) =>
    db.execute(sql`insert into bi_daily_facts (day, institution_id, approvals, rejections) values (${day}::date, ${inst}, ${approvals}, ${rejections})`);

  it('fires once when an institution’s approval rate drops beyond the threshold, not when within it', async () => {
    // previous 7 days (Feb 15–21): 9 of 10 approved; last 7 (Feb 22–28): 5 of 10
    const inst = t.fixtures.institutionA.id;
    await fact('2026-02-16', inst, 9, 1);
    await fact('2026-02-25', inst, 5, 5);
    const beyond = await bi.subscribe(actor(), { kind: 'institution_approval', thresholdPoints: 30, minBase: 10, phone: '13800138000' });
    const within = await bi.subscribe(actor(), { kind: 'institution_approval', subject: inst, thresholdPoints: 45, minBase: 10 });
    const first = await bi.evaluateAlerts('2026-02-28');
    expect(first.fired).toBe(1);
    expect((await bi.evaluateAlerts('2026-02-28')).fired).toBe(0);
    const alerts = await queryRows<{ subscription_id: string; subject: string; outbox_id: string | null; message: string }>(db, sql`select subscription_id, subject, outbox_id, message from bi_alerts`);
    expect(alerts.map((a) => [a.subscription_id, a.subject])).toEqual([[beyond.id, inst]]);
    await expect(bi.subscribe(actor(), { kind: 'institution_approval', subject: 'inst_nope', thresholdPoints: 5 })).rejects.toMatchObject({ fields: { subject: '没有这家机构' } });
    expect(alerts.map((a) => a.subscription_id)).not.toContain(within.id);
    expect(alerts[0]!.message).toContain('甲银行 近 7 天 50.00%，前 7 天 90.00%');
    const [sms] = await queryRows<{ template: string; recipient_masked: string }>(db, sql`select template, recipient_masked from outbox_messages where id = ${alerts[0]!.outbox_id}`);
    expect(sms).toMatchObject({ template: 'bi.alert' });
    expect(await bi.recentAlertCount(7)).toBe(1);
    expect((await bi.alerts()).map((a) => a.kind)).toEqual(['institution_approval']);
    // too small a base never fires
    const thin = await bi.subscribe(actor(), { kind: 'institution_approval', thresholdPoints: 1, minBase: 11 });
    await bi.evaluateAlerts('2026-02-28');
    expect((await queryRows(db, sql`select 1 from bi_alerts where subscription_id = ${thin.id}`)).length).toBe(0);
    await bi.unsubscribe(actor(), thin.id);
    await expect(bi.unsubscribe(actor(), thin.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('watches channels’ conversion and fraud and regions’ overdue rate', async () => {
    await db.execute(sql`insert into bi_daily_facts (day, channel_id, region, registrations, flagged_registrations, active_loans, overdue_loans) values
      ('2026-01-05'::date, 'ch_alert', '成都', 20, 1, 100, 2), ('2026-01-12'::date, 'ch_alert', '成都', 20, 8, 100, 9)`);
    const fraud = await bi.subscribe(actor(), { kind: 'channel_fraud', thresholdPoints: 20, minBase: 5 });
    const overdue = await bi.subscribe(actor(), { kind: 'region_overdue', subject: '成都', thresholdPoints: 5, minBase: 50 });
    await bi.evaluateAlerts('2026-01-14');
    const fired = await queryRows<{ subscription_id: string; subject: string }>(db, sql`select subscription_id, subject from bi_alerts where day = '2026-01-14'`);
    expect(fired.sort((a, b) => (a.subscription_id === overdue.id ? -1 : b.subscription_id === overdue.id ? 1 : 0))).toEqual([
      { subscription_id: overdue.id, subject: '成都' },
      { subscription_id: fraud.id, subject: 'ch_alert' },
    ]);
    // conversion: 抖音's registrants of Mar 8–14 applied (1 of 1); the week before had none registered: no base, no alert
    const conv = await bi.subscribe(actor(), { kind: 'channel_conversion', thresholdPoints: 10, minBase: 1 });
    await bi.evaluateAlerts(D(14));
    expect((await queryRows(db, sql`select 1 from bi_alerts where subscription_id = ${conv.id}`)).length).toBe(0);
    // two registrants of Mar 2 who never applied: 0% the week before, 100% now → fires, for 抖音 only
    for (const id of ['acc_biconv01', 'acc_biconv02']) {
      await db.execute(sql`insert into accounts (id, kind, login_hash, login_enc, login_masked, password_hash, display_name_enc, role, created_at)
        values (${id}, 'consumer', ${id}, 'x', '138****0000', 'x', 'x', 'consumer', ${new Date('2026-03-02T02:00:00Z')})`);
      await db.execute(sql`insert into channel_attributions (account_id, channel_id, touched_at, attributed_at) values (${id}, ${seed.channelX}, ${new Date('2026-03-02T01:00:00Z')}, ${new Date('2026-03-02T02:00:00Z')})`);
    }
    await bi.evaluateAlerts(D(14));
    const conversion = await queryRows<{ subject: string; previous_rate: string; current_rate: string }>(db, sql`select subject, previous_rate, current_rate from bi_alerts where subscription_id = ${conv.id}`);
    expect(conversion.map((a) => [a.subject, Number(a.previous_rate), Number(a.current_rate)])).toEqual([[seed.channelX, 0, 1]]);
    await expect(bi.subscribe(actor(), { kind: 'nonsense' as never, thresholdPoints: 0 })).rejects.toMatchObject({ fields: { kind: expect.any(String), thresholdPoints: expect.any(String) } });
  });
});
