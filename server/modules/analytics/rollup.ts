import { sql, type SQL } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { queryRows } from '../../db/client';
import { shanghaiDayEnd, shanghaiDayStart } from '../../lib/shanghai-date';
import { withTransaction, type Tx } from '../../lib/tx';
import { rebuildFunnelDay } from './funnel-rollup';

/**
 * The BI rollup (bi_daily_facts): one Asia/Shanghai day rebuilt from the raw records in one
 * transaction — its rows deleted and inserted again — so a rebuild is idempotent and a reader
 * sees a day either before or after, never half. Every measure is read from where its event is
 * recorded:
 *
 * - visits: distinct visitors of the day (catalogue events other than impressions, and channel
 *   landings), each once, under the channel of their latest channel landing up to the day's end
 *   ('organic' when none) and the door of their events (web / api);
 * - registrations: consumer accounts created that day, under their attribution; flagged: those
 *   with a risk flag;
 * - applications (created), approvals and rejections (decided: status events), disbursements and
 *   their amount (disbursed) that day, each under the application's dimensions;
 * - commission: credits to `revenue:commission:*` of commission_* journals posted that day, under
 *   the journal's application (reversals net out);
 * - channel cost: credits to `payable:channel:<channelId>` (server/modules/channel-payouts) posted that day (reversals net out),
 *   under that channel and, when the journal names an application, its dimensions;
 * - responded / response_ms: of the applications created that day, those with a first response and
 *   the sum of their response times (ms), as of the rebuild (the nightly run catches responses of
 *   the last 7 days);
 * - active / overdue loans: a snapshot at the day's end (disbursed and not settled; of them, with
 *   an instalment due before the day and not paid off by its end).
 *
 * The application's dimensions: institution, product, category, channel and sub-ID of the
 * borrower's attribution ('organic' / '' when none), region = the applicant's city, credit band =
 * the applicant's self-assessment, purpose, device = the door of the consent (web / api).
 */

export const dimColumns = ['institution_id', 'product_id', 'category', 'channel_id', 'sub_id', 'region', 'credit_band', 'purpose', 'device'] as const;
type DimColumn = (typeof dimColumns)[number];
export const measureColumns = [
  'visits',
  'registrations',
  'flagged_registrations',
  'applications',
  'approvals',
  'rejections',
  'disbursements',
  'disbursed_fen',
  'commission_fen',
  'channel_cost_fen',
  'active_loans',
  'overdue_loans',
  'responded',
  'response_ms',
] as const;
type MeasureColumn = (typeof measureColumns)[number];

/** The joins that give an application (alias `a`) its dimensions. */
export const APP_JOINS = `join products p on p.id = a.product_id
  left join channel_attributions ca on ca.account_id = a.consumer_id
  left join consents cs on cs.id = a.consent_id`;

/** An application's dimensions (alias `a` with APP_JOINS). The drill-down filters by the same expressions. */
export const appDims: Record<DimColumn, string> = {
  institution_id: 'a.institution_id',
  product_id: 'a.product_id',
  category: 'p.category',
  channel_id: `coalesce(ca.channel_id, 'organic')`,
  sub_id: `coalesce(ca.sub_id, '')`,
  region: 'a.applicant_city',
  credit_band: `coalesce(a.applicant_credit_band, '')`,
  purpose: 'a.purpose',
  device: `coalesce(cs.door, '')`,
};

/** A registered account's dimensions (alias `acc`, profile `pr`, attribution `ca`). */
export const accountDims: Partial<Record<DimColumn, string>> = {
  channel_id: `coalesce(ca.channel_id, 'organic')`,
  sub_id: `coalesce(ca.sub_id, '')`,
  region: `coalesce(pr.city, '')`,
  credit_band: `coalesce(pr.credit_self_assessment, '')`,
};
export const ACCOUNT_JOINS = `left join consumer_profiles pr on pr.account_id = acc.id
  left join channel_attributions ca on ca.account_id = acc.id`;

/** A left-joined application's dimensions (commission, channel cost): '' when the journal names none. */
const optionalAppDims = Object.fromEntries(dimColumns.map((c) => [c, c === 'channel_id' ? appDims[c] : `coalesce(${appDims[c]}, '')`])) as Record<DimColumn, string>;

const defaultDim = (c: DimColumn) => (c === 'channel_id' ? `'organic'` : `''`);

/** One source of facts: its dimension expressions, its measure expressions (aggregates) and its FROM … WHERE. */
function part(dims: Partial<Record<DimColumn, string>>, ms: Partial<Record<MeasureColumn, string>>, body: SQL): SQL {
  const select = [...dimColumns.map((c) => `${dims[c] ?? defaultDim(c)} as ${c}`), ...measureColumns.map((m) => `(${ms[m] ?? '0'})::bigint as ${m}`)].join(', ');
  return sql`select ${sql.raw(select)} ${body} group by ${sql.raw(dimColumns.map((_, i) => String(i + 1)).join(', '))}`;
}

/** The SELECT of every fact of one day, grouped by the dimensions. */
export function dayFactsQuery(day: string): SQL {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new Error(`not a day: ${day}`);
  const s = shanghaiDayStart(day);
  const e = shanghaiDayEnd(day);
  const sources: SQL[] = [
    part(
      { channel_id: `coalesce(t.channel_id, 'organic')`, sub_id: `coalesce(t.sub_id, '')`, device: 'v.device' },
      { visits: 'count(*)' },
      sql`from (
        select visitor, min(device) as device from (
          select visitor, channel as device from catalogue_events where created_at >= ${s} and created_at < ${e} and kind <> 'impression'
          union all
          select visitor, 'web' as device from channel_touches where touched_at >= ${s} and touched_at < ${e}
        ) x group by visitor
      ) v
      left join lateral (select ct.channel_id, ct.sub_id from channel_touches ct where ct.visitor = v.visitor and ct.touched_at < ${e} order by ct.touched_at desc, ct.id desc limit 1) t on true`,
    ),
    part(
      accountDims,
      { registrations: 'count(*)', flagged_registrations: 'count(*) filter (where exists (select 1 from risk_flags rf where rf.account_id = acc.id))' },
      sql`from accounts acc ${sql.raw(ACCOUNT_JOINS)} where acc.kind = 'consumer' and acc.created_at >= ${s} and acc.created_at < ${e}`,
    ),
    part(
      appDims,
      { applications: 'count(*)', responded: 'count(a.first_response_at)', response_ms: `coalesce(sum(round(extract(epoch from (a.first_response_at - a.created_at)) * 1000)), 0)` },
      sql`from applications a ${sql.raw(APP_JOINS)} where a.created_at >= ${s} and a.created_at < ${e}`),
    part(
      appDims,
      {
        approvals: `count(distinct ev.application_id) filter (where ev.to_status = 'approved')`,
        rejections: `count(distinct ev.application_id) filter (where ev.to_status = 'rejected')`,
      },
      sql`from application_events ev join applications a on a.id = ev.application_id ${sql.raw(APP_JOINS)}
        where ev.to_status in ('approved', 'rejected') and ev.created_at >= ${s} and ev.created_at < ${e}`,
    ),
    part(
      appDims,
      { disbursements: 'count(*)', disbursed_fen: 'coalesce(sum(a.disbursed_amount_fen), 0)' },
      sql`from applications a ${sql.raw(APP_JOINS)} where a.status = 'disbursed' and a.disbursed_at >= ${s} and a.disbursed_at < ${e}`,
    ),
    part(
      { ...optionalAppDims, institution_id: `coalesce(a.institution_id, j.institution_id, '')` },
      { commission_fen: 'coalesce(sum(-le.amount_fen), 0)' },
      sql`from ledger_journals j join ledger_entries le on le.journal_id = j.id
        left join applications a on a.id = j.application_id
        left join products p on p.id = a.product_id
        left join channel_attributions ca on ca.account_id = a.consumer_id
        left join consents cs on cs.id = a.consent_id
        where j.posted_at >= ${s} and j.posted_at < ${e} and j.kind like 'commission\\_%' and le.account like 'revenue:commission:%'`,
    ),
    part(
      { ...optionalAppDims, channel_id: `substring(le.account from 17)` },
      { channel_cost_fen: 'coalesce(sum(-le.amount_fen), 0)' },
      sql`from ledger_journals j join ledger_entries le on le.journal_id = j.id
        left join applications a on a.id = j.application_id
        left join products p on p.id = a.product_id
        left join channel_attributions ca on ca.account_id = a.consumer_id
        left join consents cs on cs.id = a.consent_id
        where j.posted_at >= ${s} and j.posted_at < ${e} and le.account like 'payable:channel:%'`,
    ),
    part(
      appDims,
      {
        active_loans: 'count(*)',
        overdue_loans: `count(*) filter (where exists (select 1 from loan_instalments i where i.loan_id = l.id and i.due_date < '${day}'::date and (i.paid_off_at is null or i.paid_off_at >= '${e.toISOString()}'::timestamptz)))`,
      },
      sql`from loans l join applications a on a.id = l.application_id ${sql.raw(APP_JOINS)}
        where l.disbursed_at < ${e} and (l.settled_at is null or l.settled_at >= ${e})`,
    ),
  ];
  const union = sql.join(sources, sql` union all `);
  const sums = measureColumns.map((m) => `sum(${m})`).join(', ');
  return sql`select ${sql.raw(dimColumns.join(', '))}, ${sql.raw(sums)} from (${union}) f group by ${sql.raw(dimColumns.join(', '))}`;
}

/**
 * Rebuilds one day: deletes its rows and inserts them again from the raw records, and stamps
 * the day's refresh time, in one transaction. Running it twice gives the same rows.
 */
export async function rebuildDay(db: Database, day: string, now: Date): Promise<number> {
  return withTransaction(db, async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`bi-rollup:${day}`}))`);
    await tx.execute(sql`delete from bi_daily_facts where day = ${day}::date`);
    const inserted = await queryRows<{ n: number }>(
      tx,
      sql`with ins as (
        insert into bi_daily_facts (day, ${sql.raw(dimColumns.join(', '))}, ${sql.raw(measureColumns.join(', '))})
        select ${day}::date, q.* from (${dayFactsQuery(day)}) q
        returning 1
      ) select count(*)::int as n from ins`,
    );
    const rows = Number(inserted[0]?.n ?? 0);
    await rebuildEventDay(tx, day);
    await rebuildFunnelDay(tx, day, now);
    await tx.execute(sql`delete from product_daily_facts where day = ${day}::date`);
    await tx.execute(sql`insert into product_daily_facts (day, institution_id, product_id, applications, approvals, rejections, disbursements, disbursed_fen, commission_fen, responded, response_ms)
      select day, institution_id, product_id, sum(applications), sum(approvals), sum(rejections), sum(disbursements), sum(disbursed_fen), sum(commission_fen), sum(responded), sum(response_ms)
      from bi_daily_facts where day = ${day}::date group by day, institution_id, product_id
      having sum(applications) + sum(approvals) + sum(rejections) + sum(disbursements) + sum(responded) > 0 or sum(disbursed_fen) <> 0 or sum(commission_fen) <> 0`);
    await tx.execute(sql`insert into bi_rollup_days (day, rows, refreshed_at) values (${day}::date, ${rows}, ${now})
      on conflict (day) do update set rows = excluded.rows, refreshed_at = excluded.refreshed_at`);
    return rows;
  });
}

/**
 * The day's catalogue event counts (per product and door) and platform figures (distinct visitors,
 * complaints), deleted and inserted again inside the day's rebuild transaction. The same
 * definitions as the statistics' raw queries (analytics.repository.ts): clicks = view and click
 * events, visitors = distinct visitors with a search, view, click or apply event.
 */
async function rebuildEventDay(tx: Tx, day: string): Promise<void> {
  const s = shanghaiDayStart(day);
  const e = shanghaiDayEnd(day);
  await tx.execute(sql`delete from catalogue_event_days where day = ${day}::date`);
  await tx.execute(sql`insert into catalogue_event_days (day, product_id, channel, clicks, applies, searches)
    select ${day}::date, coalesce(product_id, ''), channel,
      count(*) filter (where kind in ('view', 'click')), count(*) filter (where kind = 'apply'), count(*) filter (where kind = 'search')
    from catalogue_events where created_at >= ${s} and created_at < ${e} and kind in ('view', 'click', 'apply', 'search') group by 2, 3`);
  await tx.execute(sql`insert into platform_days (day, visitors, complaints) values (${day}::date,
      (select count(distinct visitor)::int from catalogue_events where created_at >= ${s} and created_at < ${e} and kind in ('view', 'click', 'apply', 'search')),
      (select count(*)::int from complaints where created_at >= ${s} and created_at < ${e}))
    on conflict (day) do update set visitors = excluded.visitors, complaints = excluded.complaints`);
}
