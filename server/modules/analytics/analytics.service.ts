import type { Database } from '../../db/client';
import type { Clock } from '../../lib/clock';
import type { PiiCipher } from '../../lib/pii';
import type { AuditActor, AuditService } from '../audit';
import { NotFoundError } from '../../lib/errors';
import type { EventChannel } from '../catalogue/catalogue.schema';
import { creditSelfAssessment } from '../catalogue';
import { AnalyticsRepository, type Scope } from './analytics.repository';
import type { DateRange } from './date-range';
import { funnelStepLabels, funnelSteps, type FunnelKey, type FunnelStep } from './funnel';
import { accountVisitorKey } from './visitor-key';
import { ageBands, suppressSmallGroups, MIN_GROUP_SIZE, type MixBucket } from './mix';

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
  /** the same funnel per attributed channel ('organic' for none), most visitors first */
  funnelByChannel: { channel: string; label: string; steps: FunnelStep[] }[];
}

export const channelLabels: Record<EventChannel, string> = { web: '网站', api: 'API / App' };

const ratio = (a: number, b: number): number | null => (b > 0 ? a / b : null);
const round2 = (n: number | null) => (n === null ? null : Math.round(n * 100) / 100);

export interface AnalyticsServiceDeps {
  audit: AuditService;
  db: Database;
  /** the visitor key of a logged-in borrower (server/http/visitor.ts), to follow the same person through the funnel */
  pii: PiiCipher;
  /** what "today" is: past days are read from the rollups, today from the raw rows */
  clock?: Clock;
}

export class AnalyticsService {
  private readonly aggregates: AnalyticsRepository;

  constructor(private readonly deps: AnalyticsServiceDeps) {
    this.aggregates = new AnalyticsRepository(deps.db);
  }

  private now(): Date {
    return this.deps.clock?.now() ?? new Date();
  }

  /** An institution exports its statistics (one CSV table): the export is recorded. */
  async exportInstitutionStatistics(actor: AuditActor, institutionId: string, table: string, range: DateRange, productId?: string): Promise<InstitutionStatistics> {
    const statistics = await this.institutionStatistics(institutionId, range, productId);
    await this.deps.audit.recordNow(actor, { action: 'statistics.exported', objectType: 'institution', objectId: institutionId, detail: { table, from: range.from, to: range.to, productId: productId ?? null } });
    return statistics;
  }

  /** An operator exports the dashboard (one CSV table): the export is recorded. */
  async exportOperatorDashboard(actor: AuditActor, table: string, range: DateRange): Promise<OperatorDashboard> {
    const dashboard = await this.operatorDashboard(range);
    await this.deps.audit.recordNow(actor, { action: 'dashboard.exported', objectType: 'dashboard', objectId: null, detail: { table, from: range.from, to: range.to } });
    return dashboard;
  }

  // ---- institution statistics ------------------------------------------------------------

  /** One institution's statistics for a period, optionally for one of its products (404 for anyone else's). */
  async institutionStatistics(institutionId: string, range: DateRange, productId?: string): Promise<InstitutionStatistics> {
    const own = await this.aggregates.productsOf(institutionId);
    if (productId && !own.some((p) => p.id === productId)) throw new NotFoundError('产品');
    const scope: Scope = { institutionId, productId };
    const split = await this.aggregates.split(range, this.now());

    const [events, apps, decisions, disbursed, eventsByDay, appsByDay, decisionsByDay, disbursedByDay] = await Promise.all([
      this.aggregates.eventCounts(split, scope, 'total'),
      this.aggregates.applicationCounts(split, scope, 'total'),
      this.aggregates.decisionCounts(split, scope, 'total'),
      this.aggregates.disbursementCounts(split, scope, 'total'),
      this.aggregates.eventCounts(split, scope, 'day'),
      this.aggregates.applicationCounts(split, scope, 'day'),
      this.aggregates.decisionCounts(split, scope, 'day'),
      this.aggregates.disbursementCounts(split, scope, 'day'),
    ]);
    const [eventsByProduct, appsByProduct, decisionsByProduct, disbursedByProduct, eventsByChannel, mix] = await Promise.all([
      this.aggregates.eventCounts(split, scope, 'product'),
      this.aggregates.applicationCounts(split, scope, 'product'),
      this.aggregates.decisionCounts(split, scope, 'product'),
      this.aggregates.disbursementCounts(split, scope, 'product'),
      this.aggregates.eventCounts(split, scope, 'channel'),
      this.aggregates.applicantMix(range, scope),
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
    const split = await this.aggregates.split(range, this.now());
    const [events, apps, decisions, disbursed, commission, eventsByDay, appsByDay, decisionsByDay, disbursedByDay, commissionByDay] = await Promise.all([
      this.aggregates.eventCounts(split, all, 'total'),
      this.aggregates.applicationCounts(split, all, 'total'),
      this.aggregates.decisionCounts(split, all, 'total'),
      this.aggregates.disbursementCounts(split, all, 'total'),
      this.aggregates.commissionCounts(split, 'total'),
      this.aggregates.eventCounts(split, all, 'day'),
      this.aggregates.applicationCounts(split, all, 'day'),
      this.aggregates.decisionCounts(split, all, 'day'),
      this.aggregates.disbursementCounts(split, all, 'day'),
      this.aggregates.commissionCounts(split, 'day'),
    ]);
    const [complaintsTotal, complaintsByDay, funnel] = await Promise.all([this.aggregates.complaintCounts(split, 'total'), this.aggregates.complaintCounts(split, 'day'), this.aggregates.funnelCounts(range, this.now(), (id) => accountVisitorKey(this.deps.pii, id))]);
    const stepsOf = (counts: Record<FunnelKey, number>) => funnelSteps((Object.keys(funnelStepLabels) as FunnelKey[]).map((key) => ({ key, label: funnelStepLabels[key], count: counts[key] })));
    const [appsByInst, decisionsByInst, disbursedByInst, commissionByInst, names, channelNames] = await Promise.all([
      this.aggregates.applicationCounts(split, all, 'institution'),
      this.aggregates.decisionCounts(split, all, 'institution'),
      this.aggregates.disbursementCounts(split, all, 'institution'),
      this.aggregates.commissionCounts(split, 'institution'),
      this.aggregates.institutionNames(),
      this.aggregates.channelNames(),
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
      // distinct people over the period: the funnel's first step
      activeUsers: funnel.get('total')!.visitors,
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
      funnel: stepsOf(funnel.get('total')!),
      funnelByChannel: [...funnel.keys()]
        .filter((k) => k !== 'total')
        .sort((a, b) => funnel.get(b)!.visitors - funnel.get(a)!.visitors || a.localeCompare(b))
        .map((channel) => ({ channel, label: channel === 'organic' ? '自然流量' : (channelNames.get(channel) ?? channel), steps: stepsOf(funnel.get(channel)!) })),
    };
  }
}
