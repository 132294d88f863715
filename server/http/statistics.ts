import { z } from 'zod';
import { parseDateRange, RANGE_PRESETS, shanghaiDate, type DateRange, type InstitutionStatistics, type OperatorDashboard } from '../modules/analytics';
import { parse } from './validate';
import { csvYuan, type CsvRow } from './csv';

/**
 * The edge of the statistics pages and APIs: strict query schemas, the period they ask for,
 * CSV tables (written by ./csv, amounts as numbers) and the JSON shape (yuan, rates as fractions).
 */
const day = z.string().max(10).optional();
export const statisticsQuery = z.strictObject({ from: day, to: day, days: z.string().max(4).optional(), productId: z.string().max(64).optional() });
export const dashboardQuery = z.strictObject({ from: day, to: day, days: z.string().max(4).optional() });

export interface StatisticsRequest {
  range: DateRange;
  productId?: string;
  /** the query as given, for forms and links */
  raw: Record<string, string>;
}

function nonEmpty(query: unknown): Record<string, string> {
  return Object.fromEntries(Object.entries((query ?? {}) as Record<string, unknown>).filter(([, v]) => v !== '' && v !== undefined)) as Record<string, string>;
}

/** Parses `from`, `to`, `days` (and `productId` for institutions); a ValidationError names the bad field. */
export function statisticsRequest(query: unknown, withProduct: boolean): StatisticsRequest {
  const raw = nonEmpty(query);
  const q = parse(withProduct ? statisticsQuery : dashboardQuery, raw, '查询参数有误') as z.infer<typeof statisticsQuery>;
  return { range: parseDateRange(q), productId: q.productId, raw };
}

/** Preset links (7/30/90 days up to today) keeping the product filter; the one in force is marked. */
export function presetLinks(base: string, raw: Record<string, string>, range: { from: string; to: string; days: string[] }) {
  const keep = Object.fromEntries(Object.entries(raw).filter(([k]) => !['from', 'to', 'days'].includes(k)));
  return RANGE_PRESETS.map((days) => ({
    days,
    href: `${base}?${new URLSearchParams({ ...keep, days: String(days) })}`,
    current: range.days.length === days && range.to === shanghaiDate(new Date()),
  }));
}

/** A share as CSV text with 2 decimals ("" when there is nothing to divide). */
export const pct = (r: number | null) => (r === null ? '' : `${(r * 100).toFixed(2)}%`);
export const hours = (h: number | null) => (h === null ? '' : h.toFixed(2));

/** A statistics table as CSV rows, header first, with its file name for the period. */
export function statisticsCsv(name: string, range: { from: string; to: string }, table: { header: string[]; rows: CsvRow[] }): { filename: string; rows: CsvRow[] } {
  return { filename: `${name}-${range.from}_${range.to}.csv`, rows: [table.header, ...table.rows] };
}

export const institutionCsv = {
  daily: (s: InstitutionStatistics) => ({
    header: ['日期', '曝光', '点击', '申请', '审批通过', '拒绝', '放款笔数', '放款金额(元)'],
    rows: s.daily.map((d) => [d.day, d.impressions, d.clicks, d.applications, d.approvals, d.rejections, d.disbursements, csvYuan(d.disbursedAmountFen)]),
  }),
  products: (s: InstitutionStatistics) => ({
    header: ['产品编号', '产品', '曝光', '点击', '点击率', '申请', '申请转化率', '审批通过', '拒绝', '通过率', '放款笔数', '放款金额(元)', '平均首次响应(小时)'],
    rows: s.byProduct.map((p) => [
      p.productId,
      p.productName,
      p.impressions,
      p.clicks,
      pct(p.clickThroughRate),
      p.applications,
      pct(p.applicationRate),
      p.approvals,
      p.rejections,
      pct(p.approvalRate),
      p.disbursements,
      csvYuan(p.disbursedAmountFen),
      hours(p.avgFirstResponseHours),
    ]),
  }),
};

export const dashboardCsv = {
  daily: (d: OperatorDashboard) => ({
    header: ['日期', '搜索', '查看产品', '申请', '审批通过', '放款笔数', '放款金额(元)', '佣金(元)', '活跃用户'],
    rows: d.daily.map((r) => [r.day, r.searches, r.clicks, r.applications, r.approvals, r.disbursements, csvYuan(r.disbursedAmountFen), csvYuan(r.commissionFen), r.activeUsers]),
  }),
  institutions: (d: OperatorDashboard) => ({
    header: ['机构编号', '机构', '申请', '审批通过', '拒绝', '通过率', '放款笔数', '放款金额(元)', '佣金(元)', '平均首次响应(小时)'],
    rows: d.institutions.map((i) => [
      i.institutionId,
      i.name,
      i.applications,
      i.approvals,
      i.rejections,
      pct(i.approvalRate),
      i.disbursements,
      csvYuan(i.disbursedAmountFen),
      csvYuan(i.commissionFen),
      hours(i.avgFirstResponseHours),
    ]),
  }),
};

/** Fen fields (`…Fen`) become yuan numbers without the suffix, recursively: the APIs speak yuan. */
export function inYuan(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(inYuan);
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) =>
        k.endsWith('Fen') && (typeof v === 'number' || v === null) ? [k.slice(0, -3), v === null ? null : Math.round(v) / 100] : [k, inYuan(v)],
      ),
    );
  }
  return value;
}
