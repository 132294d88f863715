import { and, eq, gte, inArray, like, lt, lte, sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { Database } from '../../db/client';
import { NotFoundError } from '../../lib/errors';
import { consumerProfiles } from '../accounts/accounts.schema';
import { applicationEvents, applications } from '../applications/applications.schema';
import { catalogueEvents, catalogueImpressions, products, type EventChannel } from '../catalogue/catalogue.schema';
import { creditSelfAssessment } from '../catalogue/eligibility';
import { complaints } from '../feedback/feedback.schema';
import { consumerIdentities } from '../identity/identity.schema';
import { institutions } from '../institutions/institutions.schema';
import { ledgerEntries, ledgerJournals } from '../settlement/settlement.schema';
import type { DateRange } from './date-range';
import { funnelStepLabels, funnelSteps, type FunnelKey, type FunnelStep } from './funnel';
import { ageBandSql, ageBands, suppressSmallGroups, MIN_GROUP_SIZE, type MixBucket } from './mix';

/**
 * Statistics for institutions and operators. Read-only, and every number is an aggregate
 * computed by PostgreSQL (GROUP BY the Asia/Shanghai day, product, institution, …); only
 * the grouped rows reach JavaScript. An institution's figures are always filtered by its id.
 *
 * What is counted, for a period [start, end):
 * - impressions: a product shown in a result or recommendation list (`impression` events)
 * - clicks: a product's detail page opened (`view` events, plus `click` if ever recorded)
 * - applications: applications created in the period
 * - approvals / rejections: decisions made in the period (status-change events)
 * - disbursements: loans disbursed in the period, and their amount
 * - first response: hours from submission to the institution's first action, over the
 *   applications created in the period that have one
 */

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

export interface Scope {
  institutionId?: string;
  productId?: string;
}

type Dimension = 'total' | 'day' | 'product' | 'institution' | 'channel';

export interface FunnelCounts {
  impressions: number;
  clicks: number;
  applications: number;
  approvals: number;
  rejections: number;
  disbursements: number;
  disbursedAmountFen: number;
}

export interface Kpis extends FunnelCounts {
  decided: number;
  /** approvals / decisions, null when nothing was decided */
  approvalRate: number | null;
  /** average hours to the first response, null when none */
  avgFirstResponseHours: number | null;
  /** clicks / impressions */
  clickThroughRate: number | null;
  /** applications / clicks */
  applicationRate: number | null;
}

export interface DailyRow extends FunnelCounts {
  day: string;
}

export interface ProductRow extends Kpis {
  productId: string;
  productName: string;
}

export interface ChannelRow {
  channel: EventChannel;
  label: string;
  impressions: number;
  clicks: number;
  applications: number;
}

export interface RegionRow {
  city: string;
  /** distinct applicants; null when under the small-group threshold */
  applicants: number | null;
  applications: number | null;
  approved: number | null;
  disbursedAmountFen: number | null;
  suppressed: boolean;
  display: string;
}

export interface InstitutionStatistics {
  range: { from: string; to: string };
  productId: string | null;
  products: { id: string; name: string }[];
  kpis: Kpis;
  daily: DailyRow[];
  byProduct: ProductRow[];
  byChannel: ChannelRow[];
  byRegion: RegionRow[];
  mix: { age: MixBucket[]; city: MixBucket[]; credit: MixBucket[] };
  minGroupSize: number;
}

export interface DashboardDay {
  day: string;
  searches: number;
  clicks: number;
  applications: number;
  approvals: number;
  disbursements: number;
  disbursedAmountFen: number;
  commissionFen: number;
  activeUsers: number;
  /** complaints filed that day (about institutions or the platform) */
  complaints: number;
}

export interface DashboardInstitution {
  institutionId: string;
  name: string;
  applications: number;
  approvals: number;
  rejections: number;
  approvalRate: number | null;
  disbursements: number;
  disbursedAmountFen: number;
  commissionFen: number;
  avgFirstResponseHours: number | null;
}

export interface OperatorDashboard {
  range: { from: string; to: string };
  totals: Omit<DashboardDay, 'day' | 'activeUsers'> & { activeUsers: number; decided: number; approvalRate: number | null };
  daily: DashboardDay[];
  institutions: DashboardInstitution[];
  funnel: FunnelStep[];
}

export const channelLabels: Record<EventChannel, string> = { web: '网站', api: 'API / App' };

const ratio = (a: number, b: number): number | null => (b > 0 ? a / b : null);
const round2 = (n: number | null) => (n === null ? null : Math.round(n * 100) / 100);

export class AnalyticsService {
  constructor(private readonly db: Database) {}

  // ---- grouped counts, one SQL statement each ------------------------------------------

  /** Click, search and apply events with distinct visitors, and impressions, grouped by a dimension. */
  private async eventCounts(range: DateRange, scope: Scope, dim: Dimension) {
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
  private async applicationCounts(range: DateRange, scope: Scope, dim: Exclude<Dimension, 'channel'>) {
    const key = applicationKey(dim, applications.createdAt);
    const rows = await this.db
      .select({
        key,
        applications: int(sql`count(*)`),
        responded: int(sql`count(${applications.firstResponseAt})`),
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
  private async decisionCounts(range: DateRange, scope: Scope, dim: Exclude<Dimension, 'channel'>) {
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
  private async disbursementCounts(range: DateRange, scope: Scope, dim: Exclude<Dimension, 'channel'>) {
    const key = applicationKey(dim, applications.disbursedAt);
    const rows = await this.db
      .select({ key, disbursements: int(sql`count(*)`), amountFen: bigintSum(sql`${applications.disbursedAmountFen}`) })
      .from(applications)
      .where(and(within(applications.disbursedAt, range), eq(applications.status, 'disbursed'), ...this.applicationScope(scope)))
      .groupBy(grouping(dim, key));
    return new Map(rows.map((r) => [r.key, r]));
  }

  /** Commission accrued in the period (credits to the commission revenue accounts of commission_* journals). */
  private async commissionByDay(range: DateRange, dim: 'total' | 'day' | 'institution') {
    const key = { total: sql<string>`'total'`, day: dayOf(ledgerJournals.postedAt), institution: sql<string>`${ledgerJournals.institutionId}` }[dim];
    const rows = await this.db
      .select({ key, amountFen: bigintSum(sql`-${ledgerEntries.amountFen}`) })
      .from(ledgerJournals)
      .innerJoin(ledgerEntries, eq(ledgerEntries.journalId, ledgerJournals.id))
      .where(and(within(ledgerJournals.postedAt, range), like(ledgerJournals.kind, 'commission\\_%'), like(ledgerEntries.account, 'revenue:commission:%')))
      .groupBy(grouping(dim, key));
    return new Map(rows.map((r) => [r.key, r.amountFen]));
  }

  private async complaintCounts(range: DateRange, dim: 'total' | 'day') {
    const key = { total: sql<string>`'total'`, day: dayOf(complaints.createdAt) }[dim];
    const rows = await this.db.select({ key, n: int(sql`count(*)`) }).from(complaints).where(within(complaints.createdAt, range)).groupBy(grouping(dim, key));
    return new Map(rows.map((r) => [r.key, r.n]));
  }

  /**
   * The funnel's nested groups of people for the period: distinct visitors with any browse,
   * search or apply event; those of them who opened a product or applied; distinct consumers
   * who applied in the period; and those with one of those applications approved (at any time
   * up to now), and disbursed. Each group is inside the one before, so no step exceeds 100%.
   */
  private async funnelCounts(range: DateRange): Promise<Record<FunnelKey, number>> {
    const [events] = await this.db
      .select({
        visitors: int(sql`count(distinct ${catalogueEvents.visitor})`),
        viewers: int(sql`count(distinct ${catalogueEvents.visitor}) filter (where ${catalogueEvents.kind} in ('view', 'click', 'apply'))`),
      })
      .from(catalogueEvents)
      .where(and(within(catalogueEvents.createdAt, range), inArray(catalogueEvents.kind, ['search', 'view', 'click', 'apply'])));
    const approvedEver = sql`(${applications.status} in ('approved', 'disbursed') or exists (select 1 from ${applicationEvents} e where e.application_id = ${applications.id} and e.to_status = 'approved'))`;
    const [people] = await this.db
      .select({
        applicants: int(sql`count(distinct ${applications.consumerId})`),
        approved: int(sql`count(distinct ${applications.consumerId}) filter (where ${approvedEver})`),
        disbursed: int(sql`count(distinct ${applications.consumerId}) filter (where ${applications.status} = 'disbursed')`),
      })
      .from(applications)
      .where(within(applications.createdAt, range));
    return {
      visitors: events?.visitors ?? 0,
      viewers: events?.viewers ?? 0,
      applicants: people?.applicants ?? 0,
      approved: people?.approved ?? 0,
      disbursed: people?.disbursed ?? 0,
    };
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
  private async applicantMix(range: DateRange, scope: Scope) {
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

  // ---- institution statistics ------------------------------------------------------------

  /** One institution's statistics for a period, optionally for one of its products (404 for anyone else's). */
  async institutionStatistics(institutionId: string, range: DateRange, productId?: string): Promise<InstitutionStatistics> {
    const own = await this.db
      .select({ id: products.id, name: products.name })
      .from(products)
      .where(eq(products.institutionId, institutionId))
      .orderBy(products.createdAt, products.id);
    if (productId && !own.some((p) => p.id === productId)) throw new NotFoundError('产品');
    const scope: Scope = { institutionId, productId };

    const [events, apps, decisions, disbursed, eventsByDay, appsByDay, decisionsByDay, disbursedByDay] = await Promise.all([
      this.eventCounts(range, scope, 'total'),
      this.applicationCounts(range, scope, 'total'),
      this.decisionCounts(range, scope, 'total'),
      this.disbursementCounts(range, scope, 'total'),
      this.eventCounts(range, scope, 'day'),
      this.applicationCounts(range, scope, 'day'),
      this.decisionCounts(range, scope, 'day'),
      this.disbursementCounts(range, scope, 'day'),
    ]);
    const [eventsByProduct, appsByProduct, decisionsByProduct, disbursedByProduct, eventsByChannel, mix] = await Promise.all([
      this.eventCounts(range, scope, 'product'),
      this.applicationCounts(range, scope, 'product'),
      this.decisionCounts(range, scope, 'product'),
      this.disbursementCounts(range, scope, 'product'),
      this.eventCounts(range, scope, 'channel'),
      this.applicantMix(range, scope),
    ]);

    const kpisOf = (key: string, e: typeof events, a: typeof apps, d: typeof decisions, m: typeof disbursed): Kpis => {
      const ev = e.get(key);
      const ap = a.get(key);
      const de = d.get(key);
      const di = m.get(key);
      const counts = {
        impressions: ev?.impressions ?? 0,
        clicks: ev?.clicks ?? 0,
        applications: ap?.applications ?? 0,
        approvals: de?.approvals ?? 0,
        rejections: de?.rejections ?? 0,
        disbursements: di?.disbursements ?? 0,
        disbursedAmountFen: di?.amountFen ?? 0,
      };
      const decided = counts.approvals + counts.rejections;
      return {
        ...counts,
        decided,
        approvalRate: ratio(counts.approvals, decided),
        avgFirstResponseHours: round2(ap?.avgResponseHours ?? null),
        clickThroughRate: ratio(counts.clicks, counts.impressions),
        applicationRate: ratio(counts.applications, counts.clicks),
      };
    };

    const shownProducts = productId ? own.filter((p) => p.id === productId) : own;
    const cities = mix.byCity.map((c) => ({ label: c.label, people: c.people }));
    const cityBuckets = new Map(suppressSmallGroups(cities).map((b) => [b.label, b]));
    return {
      range: { from: range.from, to: range.to },
      productId: productId ?? null,
      products: own,
      kpis: kpisOf('total', events, apps, decisions, disbursed),
      daily: range.days.map((day) => {
        const { impressions, clicks, applications, approvals, rejections, disbursements, disbursedAmountFen } = kpisOf(
          day,
          eventsByDay,
          appsByDay,
          decisionsByDay,
          disbursedByDay,
        );
        return { day, impressions, clicks, applications, approvals, rejections, disbursements, disbursedAmountFen };
      }),
      byProduct: shownProducts.map((p) => ({
        productId: p.id,
        productName: p.name,
        ...kpisOf(p.id, eventsByProduct, appsByProduct, decisionsByProduct, disbursedByProduct),
      })),
      byChannel: (['web', 'api'] as const).map((channel) => {
        const row = eventsByChannel.get(channel);
        return { channel, label: channelLabels[channel], impressions: row?.impressions ?? 0, clicks: row?.clicks ?? 0, applications: row?.applies ?? 0 };
      }),
      byRegion: mix.byCity
        .sort((a, b) => b.people - a.people || a.label.localeCompare(b.label, 'zh-CN'))
        .map((c) => {
          const bucket = cityBuckets.get(c.label)!;
          return bucket.suppressed
            ? { city: c.label, applicants: null, applications: null, approved: null, disbursedAmountFen: null, suppressed: true, display: bucket.display }
            : { city: c.label, applicants: c.people, applications: c.applications, approved: c.approved, disbursedAmountFen: c.disbursedAmountFen, suppressed: false, display: bucket.display };
        }),
      mix: {
        age: suppressSmallGroups([...ageBands, '未知'].map((label) => ({ label, people: mix.byAge.find((r) => r.label === label)?.people ?? 0 }))),
        city: [...cityBuckets.values()],
        credit: suppressSmallGroups(
          (Object.keys(creditSelfAssessment) as (keyof typeof creditSelfAssessment)[]).map((k) => ({
            label: creditSelfAssessment[k].label,
            people: mix.byCredit.filter((r) => r.label === k).reduce((s, r) => s + r.people, 0),
          })),
        ),
      },
      minGroupSize: MIN_GROUP_SIZE,
    };
  }

  // ---- operator dashboard -----------------------------------------------------------------

  async operatorDashboard(range: DateRange): Promise<OperatorDashboard> {
    const all: Scope = {};
    const [events, apps, decisions, disbursed, commission, eventsByDay, appsByDay, decisionsByDay, disbursedByDay, commissionByDay] = await Promise.all([
      this.eventCounts(range, all, 'total'),
      this.applicationCounts(range, all, 'total'),
      this.decisionCounts(range, all, 'total'),
      this.disbursementCounts(range, all, 'total'),
      this.commissionByDay(range, 'total'),
      this.eventCounts(range, all, 'day'),
      this.applicationCounts(range, all, 'day'),
      this.decisionCounts(range, all, 'day'),
      this.disbursementCounts(range, all, 'day'),
      this.commissionByDay(range, 'day'),
    ]);
    const [complaintsTotal, complaintsByDay, funnel] = await Promise.all([this.complaintCounts(range, 'total'), this.complaintCounts(range, 'day'), this.funnelCounts(range)]);
    const [appsByInst, decisionsByInst, disbursedByInst, commissionByInst, names] = await Promise.all([
      this.applicationCounts(range, all, 'institution'),
      this.decisionCounts(range, all, 'institution'),
      this.disbursementCounts(range, all, 'institution'),
      this.commissionByDay(range, 'institution'),
      this.db.select({ id: institutions.id, name: institutions.shortName }).from(institutions).orderBy(institutions.shortName),
    ]);

    const dayRow = (day: string): DashboardDay => {
      const e = eventsByDay.get(day);
      const d = decisionsByDay.get(day);
      const m = disbursedByDay.get(day);
      return {
        day,
        searches: e?.searches ?? 0,
        clicks: e?.clicks ?? 0,
        applications: appsByDay.get(day)?.applications ?? 0,
        approvals: d?.approvals ?? 0,
        disbursements: m?.disbursements ?? 0,
        disbursedAmountFen: m?.amountFen ?? 0,
        commissionFen: commissionByDay.get(day) ?? 0,
        activeUsers: e?.visitors ?? 0,
        complaints: complaintsByDay.get(day) ?? 0,
      };
    };

    const t = {
      searches: events.get('total')?.searches ?? 0,
      clicks: events.get('total')?.clicks ?? 0,
      applications: apps.get('total')?.applications ?? 0,
      approvals: decisions.get('total')?.approvals ?? 0,
      rejections: decisions.get('total')?.rejections ?? 0,
      disbursements: disbursed.get('total')?.disbursements ?? 0,
      disbursedAmountFen: disbursed.get('total')?.amountFen ?? 0,
      commissionFen: commission.get('total') ?? 0,
      activeUsers: events.get('total')?.visitors ?? 0,
      complaints: complaintsTotal.get('total') ?? 0,
    };
    const decided = t.approvals + t.rejections;
    return {
      range: { from: range.from, to: range.to },
      totals: {
        searches: t.searches,
        clicks: t.clicks,
        applications: t.applications,
        approvals: t.approvals,
        disbursements: t.disbursements,
        disbursedAmountFen: t.disbursedAmountFen,
        commissionFen: t.commissionFen,
        activeUsers: t.activeUsers,
        complaints: t.complaints,
        decided,
        approvalRate: ratio(t.approvals, decided),
      },
      daily: range.days.map(dayRow),
      institutions: names.map(({ id, name }) => {
        const d = decisionsByInst.get(id);
        const approvals = d?.approvals ?? 0;
        const rejections = d?.rejections ?? 0;
        return {
          institutionId: id,
          name,
          applications: appsByInst.get(id)?.applications ?? 0,
          approvals,
          rejections,
          approvalRate: ratio(approvals, approvals + rejections),
          disbursements: disbursedByInst.get(id)?.disbursements ?? 0,
          disbursedAmountFen: disbursedByInst.get(id)?.amountFen ?? 0,
          commissionFen: commissionByInst.get(id) ?? 0,
          avgFirstResponseHours: round2(appsByInst.get(id)?.avgResponseHours ?? null),
        };
      }),
      funnel: funnelSteps((Object.keys(funnelStepLabels) as FunnelKey[]).map((key) => ({ key, label: funnelStepLabels[key], count: funnel[key] }))),
    };
  }
}
