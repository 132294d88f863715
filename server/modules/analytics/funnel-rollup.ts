import { sql, type SQL } from 'drizzle-orm';
import { queryRows, type Database } from '../../db/client';
import { shanghaiDayEnd, shanghaiDayStart } from '../../lib/shanghai-date';
import type { Tx } from '../../lib/tx';
import { emptyFunnel, type FunnelKey } from './funnel';

/**
 * The funnel rollup: the operator funnel (funnel.ts: visitors ⊇ viewers ⊇ applicants ⊇ approved ⊇
 * disbursed, distinct people of a period, per channel) for any period, without scanning the
 * period's events. Distinct people do not add up over days, so each day keeps its people by the
 * last earlier day they took the step (funnel_visitor_days): the people of a period [a, b] are the
 * rows of its days whose previous day is before `a` — each person counted once, on their first day
 * of the period. Exact, not an estimate. The later steps need a person to have done two things in
 * the period (viewed and applied), so they come from one row per borrower and application day
 * (funnel_applicant_days) carrying the days around it: counted on the person's first application
 * day of the period, they viewed in it when their latest view up to that day is on or after `a` or
 * their first view from it on or before `b`, and so on.
 *
 * A person's channel is the one they had at the end of their first visit day ever (their account's
 * attribution by then, else their latest channel landing by then, else 'organic'): the channel that
 * brought them. It never changes afterwards, so every step counts a person under the same channel
 * and each channel's steps nest like the total's.
 *
 * Days rebuilt after their end (funnel_rollup_days) are read from the rollup; the others (today, a
 * day never rolled up) are computed from the raw rows by the same SQL, and so are the applicant rows
 * of the borrowers something happened to on those days.
 */

/** A span [start, end) read from the raw rows. */
export interface Span {
  start: Date;
  end: Date;
}

const VISIT = `('search', 'view', 'click', 'apply')`;
const VIEW = `('view', 'click', 'apply')`;
const dayOfInstant = (ts: string) => `(${ts} at time zone 'Asia/Shanghai')::date`;
const startOfDay = (date: string) => `((${date})::timestamp at time zone 'Asia/Shanghai')`;
/** The Shanghai day of a visitor's latest (max) or first (min) event of some kinds on one side of an instant. */
const eventDay = (agg: 'max' | 'min', visitor: string, kinds: string, bound: string) =>
  `(select ${dayOfInstant(`${agg}(c.created_at)`)} from catalogue_events c where c.visitor = ${visitor} and c.kind in ${kinds} and c.created_at ${bound})`;
/** A person's channel: as of the end of their first visit day. */
const channelOf = (visitor: string) => `(select coalesce(
    (select ca.channel_id from visitor_keys k join channel_attributions ca on ca.account_id = k.account_id where k.visitor = ${visitor} and ca.attributed_at < f.until limit 1),
    (select ct.channel_id from channel_touches ct where ct.visitor = ${visitor} and ct.touched_at < f.until order by ct.touched_at desc, ct.id desc limit 1),
    'organic')
  from (select (${dayOfInstant('min(c.created_at)')} + 1)::timestamp at time zone 'Asia/Shanghai' as until from catalogue_events c where c.visitor = ${visitor} and c.kind in ${VISIT}) f)`;
// a scalar subquery, not exists: the planner would hash every approval ever (38,000 on a year) for a few hundred applications
const approvedEver = `(a.status in ('approved', 'accepted', 'disbursed') or (select true from application_events e where e.application_id = a.id and e.to_status = 'approved' limit 1) is not null)`;

/** `column` within one of the spans (false for none). */
export function inSpans(column: string, spans: readonly Span[]): SQL {
  if (!spans.length) return sql`false`;
  return sql`(${sql.join(
    spans.map((s) => sql`(${sql.raw(column)} >= ${s.start} and ${sql.raw(column)} < ${s.end})`),
    sql` or `,
  )})`;
}

/**
 * The funnel_visitor_days rows (day, step, channel_id, previous_day, people) of the days in the spans,
 * from the raw events. With `countedFrom` (a period's first day), a person's channel is looked up only
 * when one of their rows counts in the period (a previous day before it, or none): the others, left
 * without a channel, are dropped by the caller's filter (today's visitors mostly came back within the
 * period: 2x faster on a year, docs/benchmarks.md).
 */
function visitorDayRows(spans: readonly Span[], countedFrom?: string): SQL {
  const channel = sql.raw(channelOf('p.visitor'));
  const counted = sql`p.prev_visit is null or p.prev_visit < ${countedFrom}::date or (p.viewed and (p.prev_view is null or p.prev_view < ${countedFrom}::date))`;
  return sql`select d.day, s.step, d.channel_id, case s.step when 'visit' then d.prev_visit else d.prev_view end as previous_day, count(*)::int as people
    from (
      select p.visitor, p.day, p.viewed, p.prev_visit, p.prev_view, ${countedFrom ? sql`case when ${counted} then ${channel} end` : channel} as channel_id
      from (
        select v.visitor, v.day, v.viewed,
          ${sql.raw(eventDay('max', 'v.visitor', VISIT, `< ${startOfDay('v.day')}`))} as prev_visit,
          case when v.viewed then ${sql.raw(eventDay('max', 'v.visitor', VIEW, `< ${startOfDay('v.day')}`))} end as prev_view
        from (select e.visitor, ${sql.raw(dayOfInstant('e.created_at'))} as day, bool_or(e.kind in ${sql.raw(VIEW)}) as viewed
          from catalogue_events e where ${inSpans('e.created_at', spans)} and e.kind in ${sql.raw(VISIT)} group by 1, 2) v
        offset 0
      ) p
      -- offset 0 keeps each level a subquery of its own: each person's days and channel are looked up
      -- once, not again for each step, in the grouping and in the caller's filter (2.5-3.7x faster on a year)
      offset 0
    ) d cross join (values ('visit'), ('view')) s(step)
    where s.step = 'visit' or d.viewed
    group by 1, 2, 3, 4`;
}

/**
 * The borrowers (visitor keys) whose applicant rows something in the spans can change: they
 * applied, one of their applications was approved, accepted or disbursed, or they browsed while one
 * of their rows has no view from its day on yet (their next view day, or their channel, if it was
 * their first visit).
 */
function touchedApplicants(spans: readonly Span[]): SQL {
  return sql`select k.visitor from applications a join visitor_keys k on k.account_id = a.consumer_id where ${inSpans('a.created_at', spans)}
    union select k.visitor from application_events ev join applications a on a.id = ev.application_id join visitor_keys k on k.account_id = a.consumer_id
      where ev.to_status in ('approved', 'accepted', 'disbursed') and ${inSpans('ev.created_at', spans)}
    union select e.visitor from catalogue_events e where ${inSpans('e.created_at', spans)} and e.kind in ${sql.raw(VISIT)}
      -- a scalar subquery (an index probe per event), not exists: the planner would hash every waiting row of the rollup
      and (select true from funnel_applicant_days f where f.visitor = e.visitor and f.next_view_day is null limit 1)`;
}

/** The funnel_applicant_days rows of some borrowers (a query of visitor keys), from the raw rows. */
function applicantRows(people: SQL): SQL {
  return sql`select ap.visitor, ap.day,
      lag(ap.day) over (partition by ap.visitor order by ap.day) as previous_day,
      ${sql.raw(eventDay('max', 'ap.visitor', VIEW, `< ${startOfDay('ap.day + 1')}`))} as last_view_day,
      ${sql.raw(eventDay('min', 'ap.visitor', VIEW, `>= ${startOfDay('ap.day')}`))} as next_view_day,
      min(ap.day) filter (where ap.approved) over later as next_approved_day,
      min(ap.day) filter (where ap.disbursed) over later as next_disbursed_day,
      ${sql.raw(channelOf('ap.visitor'))} as channel_id
    from (
      select k.visitor, ${sql.raw(dayOfInstant('a.created_at'))} as day, bool_or(${sql.raw(approvedEver)}) as approved, bool_or(a.status = 'disbursed') as disbursed
      from visitor_keys k join applications a on a.consumer_id = k.account_id where k.visitor in (${people}) group by 1, 2
    ) ap
    window later as (partition by ap.visitor order by ap.day rows between current row and unbounded following)`;
}

/**
 * What a period [a, b] reads of the applicant rows of some borrowers: for each, only the row of their
 * first application day in the period (the only one counted), its view days and channel looked up
 * after the others are dropped, not for each of their application days (the same figures as
 * applicantRows filtered to the period; 3-4x faster on today's borrowers of a year, docs/benchmarks.md).
 */
function firstApplicantRowsIn(people: SQL, a: string, b: string): SQL {
  return sql`select x.previous_day, x.next_approved_day, x.next_disbursed_day,
      ${sql.raw(eventDay('max', 'x.visitor', VIEW, `< ${startOfDay('x.day + 1')}`))} as last_view_day,
      ${sql.raw(eventDay('min', 'x.visitor', VIEW, `>= ${startOfDay('x.day')}`))} as next_view_day,
      ${sql.raw(channelOf('x.visitor'))} as channel_id
    from (
      select ap.visitor, ap.day,
        lag(ap.day) over (partition by ap.visitor order by ap.day) as previous_day,
        min(ap.day) filter (where ap.approved) over later as next_approved_day,
        min(ap.day) filter (where ap.disbursed) over later as next_disbursed_day
      from (
        select k.visitor, ${sql.raw(dayOfInstant('a.created_at'))} as day, bool_or(${sql.raw(approvedEver)}) as approved, bool_or(a.status = 'disbursed') as disbursed
        from visitor_keys k join applications a on a.consumer_id = k.account_id where k.visitor in (${people}) group by 1, 2
      ) ap
      window later as (partition by ap.visitor order by ap.day rows between current row and unbounded following)
    ) x
    where x.day >= ${a}::date and x.day <= ${b}::date and (x.previous_day is null or x.previous_day < ${a}::date)`;
}

const applicantColumns = 'visitor, day, previous_day, last_view_day, next_view_day, next_approved_day, next_disbursed_day, channel_id';

/**
 * Rebuilds one day of the funnel rollup inside the day's rollup transaction: its visitor rows, and
 * the applicant rows of the borrowers the day touched. Idempotent.
 */
export async function rebuildFunnelDay(tx: Tx, day: string, now: Date): Promise<void> {
  const spans = [{ start: shanghaiDayStart(day), end: shanghaiDayEnd(day) }];
  await tx.execute(sql`delete from funnel_visitor_days where day = ${day}::date`);
  await tx.execute(sql`insert into funnel_visitor_days (day, step, channel_id, previous_day, people) ${visitorDayRows(spans)}`);
  // a borrower's rows are rewritten whole; one rewrite at a time (today's ticker and a past day's rebuild may touch the same borrower)
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext('funnel-applicants'))`);
  const touched = (await queryRows<{ visitor: string }>(tx, touchedApplicants(spans))).map((r) => r.visitor);
  if (touched.length) {
    const people = sql`select value from json_array_elements_text(${JSON.stringify(touched)}::json)`;
    await tx.execute(sql`delete from funnel_applicant_days where visitor in (${people})`);
    await tx.execute(sql`insert into funnel_applicant_days (${sql.raw(applicantColumns)}) ${applicantRows(people)}`);
  }
  await tx.execute(sql`insert into funnel_rollup_days (day, refreshed_at) values (${day}::date, ${now}) on conflict (day) do update set refreshed_at = excluded.refreshed_at`);
}

/** Days of [from, to] before today whose funnel rows were rebuilt after the day was over. */
export async function completeFunnelDays(db: Database, from: string, to: string, today: string): Promise<Set<string>> {
  const rows = await queryRows<{ day: string }>(
    db,
    sql`select to_char(day, 'YYYY-MM-DD') as day from funnel_rollup_days
      where day >= ${from}::date and day <= ${to}::date and day < ${today}::date and refreshed_at >= ((day + 1)::timestamp at time zone 'Asia/Shanghai')`,
  );
  return new Set(rows.map((r) => r.day));
}

/** Consecutive days as spans of instants. */
export function spansOf(days: readonly string[]): Span[] {
  const spans: Span[] = [];
  for (const day of days) {
    const start = shanghaiDayStart(day);
    const last = spans[spans.length - 1];
    if (last && last.end.getTime() === start.getTime()) last.end = shanghaiDayEnd(day);
    else spans.push({ start, end: shanghaiDayEnd(day) });
  }
  return spans;
}

export interface FunnelQuery {
  /** the period, Shanghai days inclusive */
  from: string;
  to: string;
  /** the period's days read from the rollup; the others from the raw rows */
  rolledDays: readonly string[];
  /** the spans from `from` to now that are not rolled up: whatever happened in them is read raw (an approval after `to` counts too) */
  liveSpans: readonly Span[];
  /** the period's days not rolled up */
  livePeriodSpans: readonly Span[];
}

/** The funnel's two statements: the visitor steps, and the applicant steps (applicants, approved, disbursed), per channel. */
export function funnelQueries(q: FunnelQuery): { steps: SQL; applicants: SQL } {
  const a = q.from;
  const b = q.to;
  const rolled = JSON.stringify(q.rolledDays);
  return {
    steps: sql`select step, channel_id, sum(people)::int as people from (
          select f.step, f.channel_id, f.previous_day, f.people from funnel_visitor_days f
          where f.day >= ${a}::date and f.day <= ${b}::date and f.day in (select value::date from json_array_elements_text(${rolled}::json))
          union all select l.step, l.channel_id, l.previous_day, l.people from (${visitorDayRows(q.livePeriodSpans, a)}) l
        ) x where previous_day is null or previous_day < ${a}::date group by 1, 2`,
    applicants: sql`with l as materialized (${touchedApplicants(q.liveSpans)}),
        r as (
          select f.channel_id, f.previous_day, f.last_view_day, f.next_view_day, f.next_approved_day, f.next_disbursed_day from funnel_applicant_days f
          where f.day >= ${a}::date and f.day <= ${b}::date and not exists (select 1 from l where l.visitor = f.visitor)
          union all select x.channel_id, x.previous_day, x.last_view_day, x.next_view_day, x.next_approved_day, x.next_disbursed_day
          from (${firstApplicantRowsIn(sql`select visitor from l`, a, b)}) x
        ),
        p as (
          select channel_id, (last_view_day >= ${a}::date or next_view_day <= ${b}::date) as viewed,
            next_approved_day <= ${b}::date as approved, next_disbursed_day <= ${b}::date as disbursed
          from r where previous_day is null or previous_day < ${a}::date
        )
        select channel_id, count(*) filter (where viewed)::int as applicants, count(*) filter (where viewed and approved)::int as approved,
          count(*) filter (where viewed and approved and disbursed)::int as disbursed
        from p group by 1`,
  };
}

/** The funnel's counts per channel and in total ('total'). */
export async function funnelFromRollup(db: Database, q: FunnelQuery): Promise<Map<string, Record<FunnelKey, number>>> {
  const { steps: stepsQuery, applicants: applicantsQuery } = funnelQueries(q);
  const [steps, applicants] = await Promise.all([
    queryRows<{ step: 'visit' | 'view'; channel_id: string; people: number }>(db, stepsQuery),
    queryRows<{ channel_id: string; applicants: number; approved: number; disbursed: number }>(db, applicantsQuery),
  ]);
  const out = new Map<string, Record<FunnelKey, number>>([['total', emptyFunnel()]]);
  const of = (channel: string) => out.get(channel) ?? (out.set(channel, emptyFunnel()), out.get(channel)!);
  for (const s of steps) of(s.channel_id)[s.step === 'visit' ? 'visitors' : 'viewers'] += Number(s.people);
  for (const r of applicants) {
    const counts = of(r.channel_id);
    counts.applicants += Number(r.applicants);
    counts.approved += Number(r.approved);
    counts.disbursed += Number(r.disbursed);
  }
  // a channel whose borrowers applied without ever viewing has no step at all: not listed
  for (const [channel, counts] of out) if (channel !== 'total' && counts.visitors === 0) out.delete(channel);
  for (const [channel, counts] of out) if (channel !== 'total') for (const k of Object.keys(counts) as FunnelKey[]) out.get('total')![k] += counts[k];
  return out;
}
