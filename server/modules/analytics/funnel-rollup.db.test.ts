import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, type Database, type DatabaseHandle } from '../../db/client';
import { TestClock } from '../../lib/clock';
import { startTestApp, type TestApp } from '../../../test/support/app';
import { databaseTargets } from '../../../test/support/database';
import { BI_NOW, D, at, seedBi } from '../../../test/support/bi';
import { AnalyticsRepository } from './analytics.repository';
import { parseDateRange, type DateRange } from './date-range';
import type { FunnelKey } from './funnel';
import { accountVisitorKey } from './visitor-key';

/**
 * The funnel rollup against the funnel counted directly from the raw rows (every person of the
 * period grouped at once), on a seeded March of many visitors, borrowers and channels, with the
 * rollup absent, complete and with holes, and after today's activity — on PGlite, and on the
 * PostgreSQL server when TEST_DATABASE_URL is set (test/support/app).
 */

let t: TestApp;
let db: Database;
let repo: AnalyticsRepository;
const key = (id: string) => accountVisitorKey(t.container.pii, id);

/** A small deterministic generator (the same data on every run). */
function random(seed: number) {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
}

const VISIT = `('search', 'view', 'click', 'apply')`;

/** The funnel of a period straight from the raw rows: the definition of funnel-rollup.ts, person by person. */
async function rawFunnel(range: DateRange): Promise<Record<string, Record<FunnelKey, number>>> {
  const rows = await queryRows<Record<string, string | number>>(
    db,
    sql`with v as (
        select visitor, bool_or(kind in ('view', 'click', 'apply')) as viewed from catalogue_events
        where created_at >= ${range.start} and created_at < ${range.end} and kind in ${sql.raw(VISIT)} group by visitor
      ), f as (
        select c.visitor, ((min(c.created_at) at time zone 'Asia/Shanghai')::date + 1)::timestamp at time zone 'Asia/Shanghai' as until
        from catalogue_events c join v on v.visitor = c.visitor where c.kind in ${sql.raw(VISIT)} group by c.visitor
      ), ch as (
        select f.visitor, coalesce(
          (select ca.channel_id from visitor_keys k join channel_attributions ca on ca.account_id = k.account_id where k.visitor = f.visitor and ca.attributed_at < f.until),
          (select ct.channel_id from channel_touches ct where ct.visitor = f.visitor and ct.touched_at < f.until order by ct.touched_at desc, ct.id desc limit 1),
          'organic') as channel
        from f
      ), ap as (
        select k.visitor, bool_or(a.status in ('approved', 'accepted', 'disbursed') or exists (select 1 from application_events e where e.application_id = a.id and e.to_status = 'approved')) as approved,
          bool_or(a.status = 'disbursed') as disbursed
        from applications a join visitor_keys k on k.account_id = a.consumer_id where a.created_at >= ${range.start} and a.created_at < ${range.end} group by k.visitor
      )
      select ch.channel, count(*)::int as visitors, count(*) filter (where v.viewed)::int as viewers, count(*) filter (where v.viewed and ap.visitor is not null)::int as applicants,
        count(*) filter (where v.viewed and ap.approved)::int as approved, count(*) filter (where v.viewed and ap.approved and ap.disbursed)::int as disbursed
      from v join ch on ch.visitor = v.visitor left join ap on ap.visitor = v.visitor group by 1`,
  );
  const out: Record<string, Record<FunnelKey, number>> = { total: { visitors: 0, viewers: 0, applicants: 0, approved: 0, disbursed: 0 } };
  for (const r of rows) {
    const counts = { visitors: Number(r.visitors), viewers: Number(r.viewers), applicants: Number(r.applicants), approved: Number(r.approved), disbursed: Number(r.disbursed) };
    out[String(r.channel)] = counts;
    for (const k of Object.keys(counts) as FunnelKey[]) out.total![k] += counts[k];
  }
  return out;
}

async function seed(database: DatabaseHandle): Promise<void> {
  t = await startTestApp({ clock: new TestClock(BI_NOW), database });
  db = t.container.database.db;
  repo = new AnalyticsRepository(db);
  const { channelX, channelY } = await seedBi(t.container, t.fixtures);
  const rnd = random(18);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
  const time = (day: number) => at(day, `${String(day === 20 ? Math.floor(rnd() * 11) : Math.floor(rnd() * 24)).padStart(2, '0')}:${String(Math.floor(rnd() * 60)).padStart(2, '0')}`);
  const borrowers = Array.from({ length: 24 }, (_, i) => `acc_fr${String(i).padStart(4, '0')}`);
  for (const id of borrowers)
    await db.execute(sql`insert into accounts (id, kind, login_hash, login_enc, login_masked, password_hash, display_name, role, created_at)
      values (${id}, 'consumer', ${`funnel-test:${id}`}, '', '138****0000', 'x', '借款人', 'consumer', ${at(1, '00:30')})`);
  // a third attributed to a channel, on a day of the month (their earlier browsing is organic)
  for (const [i, id] of borrowers.entries())
    if (i % 3 === 0) {
      const when = time(1 + Math.floor(rnd() * 12));
      await db.execute(sql`insert into channel_attributions (account_id, channel_id, sub_id, touched_at, attributed_at) values (${id}, ${i % 2 ? channelX : channelY}, 's1', ${when}, ${when})`);
    }
  const visitors = [...borrowers.map(key), ...Array.from({ length: 30 }, (_, i) => `anon-${i}`)];
  // landings of anonymous visitors, some before they browse and some after
  for (let i = 0; i < 12; i++)
    await db.execute(sql`insert into channel_touches (visitor, channel_id, sub_id, touched_at) values (${`anon-${i * 2}`}, ${i % 2 ? channelX : channelY}, '', ${time(1 + Math.floor(rnd() * 19))})`);
  const kinds = ['search', 'view', 'view', 'click', 'apply', 'compare', 'calculate', 'impression'] as const;
  const events = Array.from({ length: 420 }, () => sql`(${pick(kinds)}, 'web', ${pick(visitors)}, ${t.fixtures.institutionA.productId}, ${time(1 + Math.floor(rnd() * 20))})`);
  await db.execute(sql`insert into catalogue_events (kind, channel, visitor, product_id, created_at) values ${sql.join(events, sql`, `)}`);
  // applications on various days, decided and disbursed later (some today, some never)
  for (let i = 0; i < 40; i++) {
    const id = `app_fr${String(i).padStart(4, '0')}`;
    const day = 1 + Math.floor(rnd() * 20);
    const status = pick(['submitted', 'approved', 'accepted', 'rejected', 'disbursed', 'declined'] as const);
    const decided = Math.min(20, day + Math.floor(rnd() * 6));
    const paid = status === 'disbursed' ? { fen: 1000000, at: time(decided) } : { fen: null, at: null };
    await db.execute(sql`insert into applications (id, consumer_id, product_id, institution_id, amount_fen, term_months, purpose, applicant_name_enc, applicant_city, status, disbursed_amount_fen, disbursed_at, created_at)
      values (${id}, ${pick(borrowers)}, ${t.fixtures.institutionA.productId}, ${t.fixtures.institutionA.id}, 1000000, 12, '消费', '', '上海', ${status}, ${paid.fen}, ${paid.at}, ${time(day)})`);
    if (status !== 'submitted' && status !== 'rejected')
      await db.execute(sql`insert into application_events (application_id, from_status, to_status, actor_kind, created_at) values (${id}, 'submitted', 'approved', 'institution', ${time(decided)})`);
    if (status === 'disbursed') await db.execute(sql`insert into application_events (application_id, from_status, to_status, actor_kind, created_at) values (${id}, 'accepted', 'disbursed', 'institution', ${time(decided)})`);
  }
  await t.container.services.bi.fillVisitorKeys();
}


const periods = [
  [1, 20],
  [3, 9],
  [10, 20],
  [15, 19],
  [20, 20],
  [2, 2],
  [6, 13],
] as const;

async function expectSameAsRaw(): Promise<number> {
  let people = 0;
  for (const [from, to] of periods) {
    const range = parseDateRange({ from: D(from), to: D(to) }, BI_NOW);
    // first the rollup: it keys the borrowers who applied today and had no visitor key yet, whom the raw count needs too
    const counted = Object.fromEntries(await repo.funnelCounts(range, BI_NOW, key));
    const expected = await rawFunnel(range);
    expect(counted, `${D(from)} – ${D(to)}`).toEqual(expected);
    const [{ n } = { n: 0 }] = await queryRows<{ n: number }>(
      db,
      sql`select count(distinct visitor)::int as n from catalogue_events where created_at >= ${range.start} and created_at < ${range.end} and kind in ${sql.raw(VISIT)}`,
    );
    expect(expected.total!.visitors).toBe(n);
    people += n + expected.total!.applicants;
  }
  return people;
}

describe.each(databaseTargets())('the funnel rollup on $name', (target) => {
  beforeAll(async () => seed(await target.open()));
  afterAll(() => t?.close());


  it('counts the same people as the raw rows with no rollup, a complete one and one with holes', async () => {
    await db.execute(sql`delete from funnel_rollup_days`);
    await db.execute(sql`delete from funnel_applicant_days`);
    await db.execute(sql`delete from funnel_visitor_days`);
    const people = await expectSameAsRaw();
    // the seed has people in every step somewhere, so the comparison compares figures, not zeros
    expect(people).toBeGreaterThan(100);
    const whole = await rawFunnel(parseDateRange({ from: D(1), to: D(20) }, BI_NOW));
    expect(Object.keys(whole).sort()).toEqual(['ch_bitestx', 'ch_bitesty', 'organic', 'total']);
    expect(whole.total!.disbursed).toBeGreaterThan(0);

    await t.container.services.bi.rebuild(D(1), D(20), BI_NOW);
    expect((await queryRows<{ n: number }>(db, sql`select count(*)::int as n from funnel_rollup_days`))[0]!.n).toBe(20);
    await expectSameAsRaw();

    await db.execute(sql`delete from funnel_rollup_days where day in ('2026-03-05', '2026-03-12', '2026-03-13')`);
    await expectSameAsRaw();
  });

  it('follows today from the raw rows: a view after an application, a decision on an old application, a new borrower', async () => {
    await t.container.services.bi.rebuild(D(1), D(20), BI_NOW);
    const [waiting] = await queryRows<{ visitor: string }>(db, sql`select visitor from funnel_applicant_days where next_view_day is null order by visitor limit 1`);
    expect(waiting).toBeDefined();
    await db.execute(sql`insert into catalogue_events (kind, channel, visitor, product_id, created_at) values ('view', 'web', ${waiting!.visitor}, ${t.fixtures.institutionA.productId}, ${at(20, '11:30')})`);
    const [old] = await queryRows<{ id: string }>(db, sql`select id from applications where status = 'submitted' and created_at < ${at(15)} order by id limit 1`);
    await db.execute(sql`update applications set status = 'approved' where id = ${old!.id}`);
    await db.execute(sql`insert into application_events (application_id, from_status, to_status, actor_kind, created_at) values (${old!.id}, 'submitted', 'approved', 'institution', ${at(20, '11:40')})`);
    await db.execute(sql`insert into accounts (id, kind, login_hash, login_enc, login_masked, password_hash, display_name, role, created_at) values ('acc_frnew', 'consumer', 'funnel-test:new', '', '138****0001', 'x', '借款人', 'consumer', ${at(20, '11:00')})`);
    await db.execute(sql`insert into catalogue_events (kind, channel, visitor, product_id, created_at) values ('view', 'web', ${key('acc_frnew')}, ${t.fixtures.institutionA.productId}, ${at(20, '11:05')})`);
    await db.execute(sql`insert into applications (id, consumer_id, product_id, institution_id, amount_fen, term_months, purpose, applicant_name_enc, applicant_city, created_at)
      values ('app_frnew', 'acc_frnew', ${t.fixtures.institutionA.productId}, ${t.fixtures.institutionA.id}, 1000000, 12, '消费', '', '上海', ${at(20, '11:10')})`);
    await expectSameAsRaw();
    // the new borrower was keyed on the way (no visitor key yet: the rollup jobs had not run)
    expect((await queryRows(db, sql`select 1 from visitor_keys where account_id = 'acc_frnew'`)).length).toBe(1);
  });

  it('counts a borrower of today on their first application day of each period, with the days around it', async () => {
    // a borrower who applied on days 4, 11 and 14 (viewing on 4 and 12), rolled up; today an approval of day 14's application, a view and a new application
    await db.execute(sql`insert into accounts (id, kind, login_hash, login_enc, login_masked, password_hash, display_name, role, created_at)
      values ('acc_frtwo', 'consumer', 'funnel-test:two', '', '138****0002', 'x', '借款人', 'consumer', ${at(1, '00:30')})`);
    const product = t.fixtures.institutionA.productId;
    for (const [day, time] of [[4, '09:00'], [12, '18:00']] as const)
      await db.execute(sql`insert into catalogue_events (kind, channel, visitor, product_id, created_at) values ('view', 'web', ${key('acc_frtwo')}, ${product}, ${at(day, time)})`);
    for (const day of [4, 11, 14])
      await db.execute(sql`insert into applications (id, consumer_id, product_id, institution_id, amount_fen, term_months, purpose, applicant_name_enc, applicant_city, created_at)
        values (${`app_frtwo${day}`}, 'acc_frtwo', ${product}, ${t.fixtures.institutionA.id}, 1000000, 12, '消费', '', '上海', ${at(day, '10:00')})`);
    await t.container.services.bi.rebuild(D(1), D(20), BI_NOW);
    await db.execute(sql`update applications set status = 'approved' where id = 'app_frtwo14'`);
    await db.execute(sql`insert into application_events (application_id, from_status, to_status, actor_kind, created_at) values ('app_frtwo14', 'submitted', 'approved', 'institution', ${at(20, '11:40')})`);
    await db.execute(sql`insert into catalogue_events (kind, channel, visitor, product_id, created_at) values ('view', 'web', ${key('acc_frtwo')}, ${product}, ${at(20, '11:45')})`);
    await db.execute(sql`insert into applications (id, consumer_id, product_id, institution_id, amount_fen, term_months, purpose, applicant_name_enc, applicant_city, created_at)
      values ('app_frtwo20', 'acc_frtwo', ${product}, ${t.fixtures.institutionA.id}, 1000000, 12, '消费', '', '上海', ${at(20, '11:50')})`);
    await expectSameAsRaw();
    // and the borrower is among the approved of 10 – 20 (first application day 11, day 14's approved today)
    const range = parseDateRange({ from: D(10), to: D(20) }, BI_NOW);
    const before = (await rawFunnel(range)).total!.approved;
    await db.execute(sql`delete from application_events where application_id = 'app_frtwo14'`);
    await db.execute(sql`update applications set status = 'submitted' where id = 'app_frtwo14'`);
    expect((await repo.funnelCounts(range, BI_NOW, key)).get('total')!.approved).toBe(before - 1);
  });

  it('nests every channel’s steps and gives the operator dashboard’s distinct active users', async () => {
    const range = parseDateRange({ from: D(1), to: D(20) }, BI_NOW);
    const funnel = await repo.funnelCounts(range, BI_NOW, key);
    for (const counts of funnel.values()) {
      const steps = [counts.visitors, counts.viewers, counts.applicants, counts.approved, counts.disbursed];
      for (let i = 1; i < steps.length; i++) expect(steps[i]).toBeLessThanOrEqual(steps[i - 1]!);
    }
    const d = await t.container.services.analytics.operatorDashboard(range);
    expect(d.totals.activeUsers).toBe(funnel.get('total')!.visitors);
    expect(d.funnel.map((s) => s.count)).toEqual(Object.values(funnel.get('total')!));
  });
});
