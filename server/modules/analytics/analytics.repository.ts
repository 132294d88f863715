import { and, eq, gte, inArray, like, lt, lte, sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import { queryRows, type Database } from '../../db/client';
import { channels } from '../channels/channels.schema';
import { consumerProfiles } from '../accounts/accounts.schema';
import { applicationEvents, applications } from '../applications/applications.schema';
import { catalogueEvents, catalogueImpressions, products } from '../catalogue/catalogue.schema';
import { complaints } from '../feedback/feedback.schema';
import { consumerIdentities } from '../identity/identity.schema';
import { institutionNames } from '../institutions';
import { ledgerEntries, ledgerJournals } from '../settlement/settlement.schema';
import { addDays, type DateRange } from './date-range';
import type { FunnelKey } from './funnel';
import { completeFunnelDays, funnelFromRollup, inSpans, spansOf } from './funnel-rollup';
import { ageBandSql } from './mix';
import { shanghaiDate, shanghaiDayEnd, shanghaiDayStart } from '../../lib/shanghai-date';

/** Asia/Shanghai calendar day of a timestamp column, as YYYY-MM-DD. */
const dayOf = (column: AnyPgColumn): SQL<string> => sql<string>`to_char(date_trunc('day', ${column} at time zone 'Asia/Shanghai'), 'YYYY-MM-DD')`;
const int = (expr: SQL) => sql<number>`(${expr})::int`.mapWith(Number);
const bigintSum = (expr: SQL) => sql<number>`coalesce(sum(${expr}), 0)::bigint`.mapWith(Number);
/** GROUP BY the key, or by the empty grouping set for a single total row (a constant cannot be grouped by). */
const grouping = (dim: string, key: SQL) => (dim === 'total' ? sql`()` : key);
/** The grouping key of an application-based count: one total, the Shanghai day of `dayColumn`, the product or the institution. */
const applicationKey = (dim: 'total' | 'day' | 'product' | 'institution', dayColumn: AnyPgColumn): SQL<string> =>
  ({
    total: sql<string>`'total'`,
    day: dayOf(dayColumn),
    product: sql<string>`${applications.productId}`,
    institution: sql<string>`${applications.institutionId}`,
  })[dim];
const within = (column: AnyPgColumn, range: DateRange) => and(gte(column, range.start), lt(column, range.end));

/** A period split at the midnight up to which the rollups are complete (either part may be empty). */
export interface SplitRange {
  range: DateRange;
  rolled: DateRange | null;
  /** the days before and after the rolled-up run, read from the raw rows */
  live: DateRange[];
}

/** Adds up keyed counts from several parts (the rolled-up days and the live ones). */
function mergeCounts<T extends { key: string }, K extends keyof T & string>(parts: Map<string, T>[], fields: K[]): Map<string, T> {
  const out = new Map<string, T>();
  for (const part of parts)
    for (const [k, row] of part) {
      const prev = out.get(k);
      if (!prev) out.set(k, { ...row });
      else for (const f of fields) (prev[f] as number) = Number(prev[f] ?? 0) + Number(row[f] ?? 0);
    }
  return out;
}

/** Whose figures: one institution, one product, or (empty) the whole platform. */
export interface Scope {
  institutionId?: string;
  productId?: string;
}

export type Dimension = 'total' | 'day' | 'product' | 'institution' | 'channel';

/**
 * SQL for statistics: every number is an aggregate computed by PostgreSQL (GROUP BY the
 * Asia/Shanghai day, product, institution, …) and only the grouped rows reach JavaScript. Each
 * grouped count is keyed by 'total', the day (YYYY-MM-DD), the product id, the institution id or
 * the channel. Read-only.
 */
export class AnalyticsRepository {
  constructor(private readonly db: Database) {}

  /**
   * Splits a period at Asia/Shanghai midnights: the longest run of its days that are before today
   * and were rebuilt after they were over (bi_rollup_days.refreshed_at ≥ the day's end) is read from
   * the rollups, the days before and after it (today, and any day not rolled up yet) from the raw rows.
   */
  async split(range: DateRange, now: Date): Promise<SplitRange> {
    const today = shanghaiDate(now);
    const rows = await queryRows<{ day: string }>(
      this.db,
      sql`select to_char(day, 'YYYY-MM-DD') as day from bi_rollup_days
        where day >= ${range.from}::date and day <= ${range.to}::date and day < ${today}::date
          and refreshed_at >= ((day + 1)::timestamp at time zone 'Asia/Shanghai')`,
    );
    const complete = new Set(rows.map((r) => r.day));
    // the longest run of complete days (the latest on a tie); the days before and after it are live
    let best = { at: 0, n: 0 };
    for (let i = 0, run = 0; i < range.days.length; i++) {
      run = complete.has(range.days[i]!) ? run + 1 : 0;
      if (run > 0 && run >= best.n) best = { at: i - run + 1, n: run };
    }
    const part = (days: string[]): DateRange | null =>
      days.length ? { from: days[0]!, to: days[days.length - 1]!, start: shanghaiDayStart(days[0]!), end: shanghaiDayEnd(days[days.length - 1]!), days } : null;
    const live = [part(range.days.slice(0, best.at)), part(range.days.slice(best.at + best.n))].filter((x): x is DateRange => x !== null);
    return { range, rolled: part(range.days.slice(best.at, best.at + best.n)), live };
  }

  /** Click, search and apply events (with distinct visitors for the day and the unscoped total), and impressions, grouped by a dimension. */
  async eventCounts(p: SplitRange, scope: Scope, dim: Dimension) {
    type Row = { key: string; clicks: number; applies: number; searches: number; visitors: number; impressions: number };
    const parts: Map<string, Row>[] = [];
    for (const live of p.live) parts.push(await this.rawEventCounts(live, scope, dim));
    if (p.rolled) {
      const r = p.rolled;
      const key = { total: `'total'`, day: `to_char(e.day, 'YYYY-MM-DD')`, product: 'e.product_id', institution: 'pr.institution_id', channel: 'e.channel' }[dim];
      const [rows, impressions, visitors] = await Promise.all([
        queryRows<{ key: string; clicks: number; applies: number; searches: number }>(
          this.db,
          sql`select ${sql.raw(key)} as key, sum(e.clicks)::int as clicks, sum(e.applies)::int as applies, sum(e.searches)::int as searches
            from catalogue_event_days e ${scope.institutionId !== undefined || dim === 'institution' ? sql`join products pr on pr.id = e.product_id` : sql``}
            where e.day >= ${r.from}::date and e.day <= ${r.to}::date
              ${scope.institutionId ? sql`and pr.institution_id = ${scope.institutionId}` : sql``} ${scope.productId ? sql`and e.product_id = ${scope.productId}` : sql``}
            group by 1`,
        ),
        this.impressionCounts(r, scope, dim),
        dim === 'day' && !scope.institutionId && !scope.productId
          ? queryRows<{ key: string; n: number }>(this.db, sql`select to_char(day, 'YYYY-MM-DD') as key, visitors as n from platform_days where day >= ${r.from}::date and day <= ${r.to}::date`)
          : Promise.resolve([]),
      ]);
      const m = new Map<string, Row>();
      for (const x of rows) m.set(x.key, { key: x.key, clicks: Number(x.clicks), applies: Number(x.applies), searches: Number(x.searches), visitors: 0, impressions: impressions.get(x.key) ?? 0 });
      for (const [k, n] of impressions) if (!m.has(k)) m.set(k, { key: k, clicks: 0, applies: 0, searches: 0, visitors: 0, impressions: n });
      for (const v of visitors) m.set(v.key, { ...(m.get(v.key) ?? { key: v.key, clicks: 0, applies: 0, searches: 0, impressions: 0 }), visitors: Number(v.n) });
      parts.push(m);
    }
    const out = mergeCounts(parts, ['clicks', 'applies', 'searches', 'visitors', 'impressions']);
    return out;
  }

  /** Applications created in the period, with first-response times, grouped by a dimension. */
  async applicationCounts(p: SplitRange, scope: Scope, dim: Exclude<Dimension, 'channel'>) {
    const parts = [
      ...(await Promise.all(p.live.map((live) => this.rawApplicationCounts(live, scope, dim)))),
      ...(p.rolled ? [await this.rolledFacts(p.rolled, scope, dim, { applications: 'applications', responded: 'responded', responseMs: 'response_ms' })] : []),
    ];
    const merged = mergeCounts(parts, ['applications', 'responded', 'responseMs']);
    return new Map([...merged].map(([k, r]) => [k, { ...r, avgResponseHours: r.responded ? r.responseMs / r.responded / 3_600_000 : null }]));
  }

  /** Approvals and rejections decided in the period, grouped by a dimension. */
  async decisionCounts(p: SplitRange, scope: Scope, dim: Exclude<Dimension, 'channel'>) {
    return mergeCounts(
      [...(await Promise.all(p.live.map((live) => this.rawDecisionCounts(live, scope, dim)))), ...(p.rolled ? [await this.rolledFacts(p.rolled, scope, dim, { approvals: 'approvals', rejections: 'rejections' })] : [])],
      ['approvals', 'rejections'],
    );
  }

  /** Loans disbursed in the period and their amount, grouped by a dimension. */
  async disbursementCounts(p: SplitRange, scope: Scope, dim: Exclude<Dimension, 'channel'>) {
    return mergeCounts(
      [...(await Promise.all(p.live.map((live) => this.rawDisbursementCounts(live, scope, dim)))), ...(p.rolled ? [await this.rolledFacts(p.rolled, scope, dim, { disbursements: 'disbursements', amountFen: 'disbursed_fen' })] : [])],
      ['disbursements', 'amountFen'],
    );
  }

  /** Commission accrued in the period. */
  async commissionCounts(p: SplitRange, dim: 'total' | 'day' | 'institution'): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    const add = (m: Map<string, number>) => m.forEach((v, k) => out.set(k, (out.get(k) ?? 0) + v));
    for (const live of p.live) add(await this.rawCommissionCounts(live, dim));
    if (p.rolled) (await this.rolledFacts(p.rolled, {}, dim, { amountFen: 'commission_fen' })).forEach((r, k) => out.set(k, (out.get(k) ?? 0) + r.amountFen));
    return out;
  }

  /** Complaints filed in the period. */
  async complaintCounts(p: SplitRange, dim: 'total' | 'day'): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (const live of p.live) (await this.rawComplaintCounts(live, dim)).forEach((v, k) => out.set(k, (out.get(k) ?? 0) + v));
    if (p.rolled) {
      const rows = await queryRows<{ key: string; n: number }>(
        this.db,
        sql`select ${sql.raw(dim === 'day' ? `to_char(day, 'YYYY-MM-DD')` : `'total'`)} as key, sum(complaints)::int as n from platform_days where day >= ${p.rolled.from}::date and day <= ${p.rolled.to}::date group by 1`,
      );
      for (const r of rows) out.set(r.key, (out.get(r.key) ?? 0) + Number(r.n));
    }
    return out;
  }

  /** Sums of the BI facts (per institution and product: product_daily_facts) over the rolled-up days, grouped by a dimension. */
  private async rolledFacts<K extends string>(r: DateRange, scope: Scope, dim: Exclude<Dimension, 'channel'>, columns: Record<K, string>): Promise<Map<string, Record<K, number> & { key: string }>> {
    const key = { total: `'total'`, day: `to_char(day, 'YYYY-MM-DD')`, product: 'product_id', institution: 'institution_id' }[dim];
    const sums = Object.entries<string>(columns).map(([k, c]) => `coalesce(sum(${c}), 0)::bigint as "${k}"`).join(', ');
    const rows = await queryRows<Record<string, string | number>>(
      this.db,
      sql`select ${sql.raw(key)} as key, ${sql.raw(sums)} from product_daily_facts where day >= ${r.from}::date and day <= ${r.to}::date
        ${scope.institutionId ? sql`and institution_id = ${scope.institutionId}` : sql``} ${scope.productId ? sql`and product_id = ${scope.productId}` : sql``} group by 1`,
    );
    return new Map(rows.map((x) => [String(x.key), { key: String(x.key), ...Object.fromEntries(Object.keys(columns).map((k) => [k, Number(x[k])])) } as Record<K, number> & { key: string }]));
  }

  /** Click, search and apply events with distinct visitors, and impressions, grouped by a dimension. */
  private async rawEventCounts(range: DateRange, scope: Scope, dim: Dimension) {
    const key = {
      total: sql<string>`'total'`,
      day: dayOf(catalogueEvents.createdAt),
      product: sql<string>`${catalogueEvents.productId}`,
      institution: sql<string>`${products.institutionId}`,
      channel: sql<string>`${catalogueEvents.channel}`,
    }[dim];
    const kinds = ['view', 'click', 'apply', 'search'];
    const scoped = scope.institutionId !== undefined || scope.productId !== undefined || dim === 'institution' || dim === 'product';
    const base = this.db
      .select({
        key,
        clicks: int(sql`count(*) filter (where ${catalogueEvents.kind} in ('view', 'click'))`),
        applies: int(sql`count(*) filter (where ${catalogueEvents.kind} = 'apply')`),
        searches: int(sql`count(*) filter (where ${catalogueEvents.kind} = 'search')`),
        visitors: int(sql`count(distinct ${catalogueEvents.visitor})`),
      })
      .from(catalogueEvents);
    const where = and(
      within(catalogueEvents.createdAt, range),
      inArray(catalogueEvents.kind, kinds as never[]),
      scope.institutionId ? eq(products.institutionId, scope.institutionId) : undefined,
      scope.productId ? eq(catalogueEvents.productId, scope.productId) : undefined,
    );
    const [rows, impressions] = await Promise.all([
      scoped
        ? base.innerJoin(products, eq(products.id, catalogueEvents.productId)).where(where).groupBy(grouping(dim, key))
        : base.where(where).groupBy(grouping(dim, key)),
      this.impressionCounts(range, scope, dim),
    ]);
    const counts = new Map(rows.map((r) => [r.key, { ...r, impressions: impressions.get(r.key) ?? 0 }]));
    for (const [k, n] of impressions) if (!counts.has(k)) counts.set(k, { key: k, clicks: 0, applies: 0, searches: 0, visitors: 0, impressions: n });
    return counts;
  }

  /** Impressions from the per-day totals, grouped like the events. */
  private async impressionCounts(range: DateRange, scope: Scope, dim: Dimension): Promise<Map<string, number>> {
    const t = catalogueImpressions;
    const key = {
      total: sql<string>`'total'`,
      day: sql<string>`to_char(${t.day}, 'YYYY-MM-DD')`,
      product: sql<string>`${t.productId}`,
      institution: sql<string>`${products.institutionId}`,
      channel: sql<string>`${t.channel}`,
    }[dim];
    const rows = await this.db
      .select({ key, n: bigintSum(sql`${t.count}`) })
      .from(t)
      .innerJoin(products, eq(products.id, t.productId))
      .where(
        and(
          gte(t.day, range.from),
          lte(t.day, range.to),
          scope.institutionId ? eq(products.institutionId, scope.institutionId) : undefined,
          scope.productId ? eq(t.productId, scope.productId) : undefined,
        ),
      )
      .groupBy(grouping(dim, key));
    return new Map(rows.map((r) => [r.key, r.n]));
  }

  /** Applications created in the period, with first-response times, grouped by a dimension. */
  private async rawApplicationCounts(range: DateRange, scope: Scope, dim: Exclude<Dimension, 'channel'>) {
    const key = applicationKey(dim, applications.createdAt);
    const rows = await this.db
      .select({
        key,
        applications: int(sql`count(*)`),
        responded: int(sql`count(${applications.firstResponseAt})`),
        responseMs: bigintSum(sql`round(extract(epoch from (${applications.firstResponseAt} - ${applications.createdAt})) * 1000)`),
        avgResponseHours: sql<number | null>`avg(extract(epoch from (${applications.firstResponseAt} - ${applications.createdAt})) / 3600)`.mapWith((v) =>
          v === null ? null : Number(v),
        ),
      })
      .from(applications)
      .where(and(within(applications.createdAt, range), ...this.applicationScope(scope)))
      .groupBy(grouping(dim, key));
    return new Map(rows.map((r) => [r.key, r]));
  }

  /** Approvals and rejections decided in the period (from the status history), grouped by a dimension. */
  private async rawDecisionCounts(range: DateRange, scope: Scope, dim: Exclude<Dimension, 'channel'>) {
    const key = applicationKey(dim, applicationEvents.createdAt);
    const rows = await this.db
      .select({
        key,
        approvals: int(sql`count(distinct ${applicationEvents.applicationId}) filter (where ${applicationEvents.toStatus} = 'approved')`),
        rejections: int(sql`count(distinct ${applicationEvents.applicationId}) filter (where ${applicationEvents.toStatus} = 'rejected')`),
      })
      .from(applicationEvents)
      .innerJoin(applications, eq(applications.id, applicationEvents.applicationId))
      .where(and(within(applicationEvents.createdAt, range), inArray(applicationEvents.toStatus, ['approved', 'rejected']), ...this.applicationScope(scope)))
      .groupBy(grouping(dim, key));
    return new Map(rows.map((r) => [r.key, r]));
  }

  /** Loans disbursed in the period and their amount, grouped by a dimension. */
  private async rawDisbursementCounts(range: DateRange, scope: Scope, dim: Exclude<Dimension, 'channel'>) {
    const key = applicationKey(dim, applications.disbursedAt);
    const rows = await this.db
      .select({ key, disbursements: int(sql`count(*)`), amountFen: bigintSum(sql`${applications.disbursedAmountFen}`) })
      .from(applications)
      .where(and(within(applications.disbursedAt, range), eq(applications.status, 'disbursed'), ...this.applicationScope(scope)))
      .groupBy(grouping(dim, key));
    return new Map(rows.map((r) => [r.key, r]));
  }

  /** Commission accrued in the period (credits to the commission revenue accounts of commission_* journals). */
  private async rawCommissionCounts(range: DateRange, dim: 'total' | 'day' | 'institution') {
    const key = { total: sql<string>`'total'`, day: dayOf(ledgerJournals.postedAt), institution: sql<string>`${ledgerJournals.institutionId}` }[dim];
    const rows = await this.db
      .select({ key, amountFen: bigintSum(sql`-${ledgerEntries.amountFen}`) })
      .from(ledgerJournals)
      .innerJoin(ledgerEntries, eq(ledgerEntries.journalId, ledgerJournals.id))
      .where(and(within(ledgerJournals.postedAt, range), like(ledgerJournals.kind, 'commission\\_%'), like(ledgerEntries.account, 'revenue:commission:%')))
      .groupBy(grouping(dim, key));
    return new Map(rows.map((r) => [r.key, r.amountFen]));
  }

  private async rawComplaintCounts(range: DateRange, dim: 'total' | 'day') {
    const key = { total: sql<string>`'total'`, day: dayOf(complaints.createdAt) }[dim];
    const rows = await this.db.select({ key, n: int(sql`count(*)`) }).from(complaints).where(within(complaints.createdAt, range)).groupBy(grouping(dim, key));
    return new Map(rows.map((r) => [r.key, r.n]));
  }

  /**
   * The funnel among the same people, per channel (funnel-rollup.ts): the days of the period rolled
   * up are read from the funnel rollup, the others (today, days not rolled up yet) from the raw rows,
   * and so is whatever happened from the period's start to now on days not rolled up. Borrowers
   * who applied on those days and have no visitor key yet are keyed first.
   */
  async funnelCounts(range: DateRange, now: Date, visitorKey: (accountId: string) => string): Promise<Map<string, Record<FunnelKey, number>>> {
    const today = shanghaiDate(now);
    const complete = await completeFunnelDays(this.db, range.from, today, today);
    const sinceStart: string[] = [];
    for (let day = range.from; day <= today; day = addDays(day, 1)) sinceStart.push(day);
    const liveSpans = spansOf(sinceStart.filter((d) => !complete.has(d)));
    const unkeyed = await queryRows<{ id: string }>(
      this.db,
      sql`select distinct a.consumer_id as id from applications a where ${inSpans('a.created_at', liveSpans)} and not exists (select 1 from visitor_keys k where k.account_id = a.consumer_id)`,
    );
    if (unkeyed.length) {
      const rows = unkeyed.map((r) => sql`(${r.id}, ${visitorKey(r.id)})`);
      await this.db.execute(sql`insert into visitor_keys (account_id, visitor) values ${sql.join(rows, sql`, `)} on conflict (account_id) do nothing`);
    }
    return funnelFromRollup(this.db, {
      from: range.from,
      to: range.to,
      rolledDays: range.days.filter((d) => complete.has(d)),
      liveSpans,
      livePeriodSpans: spansOf(range.days.filter((d) => !complete.has(d))),
    });
  }

  /** Channel ids → "name（code）". */
  async channelNames(): Promise<Map<string, string>> {
    const rows = await this.db.select({ id: channels.id, name: channels.name, code: channels.code }).from(channels);
    return new Map(rows.map((r) => [r.id, `${r.name}（${r.code}）`]));
  }

  private applicationScope(scope: Scope): (SQL | undefined)[] {
    return [
      scope.institutionId ? eq(applications.institutionId, scope.institutionId) : undefined,
      scope.productId ? eq(applications.productId, scope.productId) : undefined,
    ];
  }

  /**
   * Distinct applicants of the period's applications per bucket (age band, city, credit band),
   * with the applications, approvals and disbursed amount of each city.
   */
  async applicantMix(range: DateRange, scope: Scope) {
    const where = and(within(applications.createdAt, range), ...this.applicationScope(scope));
    // age: the age reached this year from the verified ID's birth year when there is one (the birth date is not kept in clear), else the profile
    const age = sql`coalesce(date_part('year', now() at time zone 'Asia/Shanghai')::int - ${consumerIdentities.birthYear}, ${consumerProfiles.age})`;
    const ageBand = ageBandSql(age);
    const credit = sql<string>`coalesce(${applications.applicantCreditBand}, ${consumerProfiles.creditSelfAssessment}, 'unknown')`;
    const people = int(sql`count(distinct ${applications.consumerId})`);
    const [byAge, byCredit, byCity] = await Promise.all([
      this.db
        .select({ label: ageBand, people })
        .from(applications)
        .leftJoin(consumerProfiles, eq(consumerProfiles.accountId, applications.consumerId))
        .leftJoin(consumerIdentities, eq(consumerIdentities.accountId, applications.consumerId))
        .where(where)
        .groupBy(ageBand),
      this.db
        .select({ label: credit, people })
        .from(applications)
        .leftJoin(consumerProfiles, eq(consumerProfiles.accountId, applications.consumerId))
        .where(where)
        .groupBy(credit),
      this.db
        .select({
          label: applications.applicantCity,
          people,
          applications: int(sql`count(*)`),
          approved: int(sql`count(*) filter (where ${applications.status} in ('approved', 'disbursed'))`),
          disbursedAmountFen: bigintSum(sql`${applications.disbursedAmountFen}`),
        })
        .from(applications)
        .where(where)
        .groupBy(applications.applicantCity),
    ]);
    return { byAge, byCredit, byCity };
  }

  /** An institution's products, in the order they were created. */
  productsOf(institutionId: string): Promise<{ id: string; name: string }[]> {
    return this.db
      .select({ id: products.id, name: products.name })
      .from(products)
      .where(eq(products.institutionId, institutionId))
      .orderBy(products.createdAt, products.id);
  }

  /** Every institution's id and short name, by name. */
  institutionNames(): Promise<{ id: string; name: string }[]> {
    return institutionNames(this.db);
  }
}
