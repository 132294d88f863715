import { z } from 'zod';
import { ValidationError } from '../../lib/errors';
import { formatYuan } from '../../lib/money';

/**
 * What the BI view can show: measures (sums of the rollup's columns, and figures derived from
 * those sums), dimensions to group by, and how a selection is read from a query string or a
 * JSON body. Pure, so it is tested on its own.
 */

/** The rollup's additive columns (bi_daily_facts), as summed for a pivot cell. */
export interface BaseSums {
  visits: number;
  registrations: number;
  flaggedRegistrations: number;
  applications: number;
  approvals: number;
  rejections: number;
  disbursements: number;
  disbursedFen: number;
  commissionFen: number;
  channelCostFen: number;
  activeLoans: number;
  overdueLoans: number;
}
export const baseColumns: Record<keyof BaseSums, string> = {
  visits: 'visits',
  registrations: 'registrations',
  flaggedRegistrations: 'flagged_registrations',
  applications: 'applications',
  approvals: 'approvals',
  rejections: 'rejections',
  disbursements: 'disbursements',
  disbursedFen: 'disbursed_fen',
  commissionFen: 'commission_fen',
  channelCostFen: 'channel_cost_fen',
  activeLoans: 'active_loans',
  overdueLoans: 'overdue_loans',
};
export const emptySums = (): BaseSums => ({
  visits: 0,
  registrations: 0,
  flaggedRegistrations: 0,
  applications: 0,
  approvals: 0,
  rejections: 0,
  disbursements: 0,
  disbursedFen: 0,
  commissionFen: 0,
  channelCostFen: 0,
  activeLoans: 0,
  overdueLoans: 0,
});
export function addSums(into: BaseSums, more: BaseSums): BaseSums {
  for (const k of Object.keys(into) as (keyof BaseSums)[]) into[k] += more[k];
  return into;
}

export type MeasureUnit = 'count' | 'fen' | 'rate';
/** Which rows are behind a measure's cell when an operator drills into it. */
export type DrillSet = 'registrations' | 'applications' | 'approvals' | 'disbursements' | 'loans';

interface MeasureDef {
  /** the rollup sums it is computed from */
  uses: readonly (keyof BaseSums)[];
  label: string;
  unit: MeasureUnit;
  value(s: BaseSums): number | null;
  drill: DrillSet;
  note: string;
}
const share = (a: number, b: number): number | null => (b > 0 ? a / b : null);

export const measures = {
  visits: { uses: ['visits'], label: '访问', unit: 'count', value: (s) => s.visits, drill: 'registrations', note: '当天去重访客（按天去重，多天相加为访客·天）' },
  registrations: { uses: ['registrations'], label: '注册', unit: 'count', value: (s) => s.registrations, drill: 'registrations', note: '当天注册的借款人账号' },
  applications: { uses: ['applications'], label: '申请', unit: 'count', value: (s) => s.applications, drill: 'applications', note: '当天提交的申请（一次多投按产品计）' },
  approvals: { uses: ['approvals'], label: '批核', unit: 'count', value: (s) => s.approvals, drill: 'approvals', note: '当天审批通过的申请' },
  disbursedAmount: { uses: ['disbursedFen'], label: '放款金额', unit: 'fen', value: (s) => s.disbursedFen, drill: 'disbursements', note: '当天放款的金额' },
  commission: { uses: ['commissionFen'], label: '佣金收入', unit: 'fen', value: (s) => s.commissionFen, drill: 'applications', note: '当天入账的佣金（冲销抵减）' },
  channelCost: { uses: ['channelCostFen'], label: '渠道成本', unit: 'fen', value: (s) => s.channelCostFen, drill: 'applications', note: '当天记入应付渠道的金额（冲销抵减）' },
  roi: { uses: ['commissionFen', 'channelCostFen'], label: 'ROI（佣金 − 渠道成本）', unit: 'fen', value: (s) => s.commissionFen - s.channelCostFen, drill: 'applications', note: '佣金收入减渠道成本' },
  approvalRate: { uses: ['approvals', 'rejections'], label: '批核率', unit: 'rate', value: (s) => share(s.approvals, s.approvals + s.rejections), drill: 'approvals', note: '批核 ÷（批核 + 拒绝），按决定日' },
  overdueRate: { uses: ['overdueLoans', 'activeLoans'], label: '逾期率', unit: 'rate', value: (s) => share(s.overdueLoans, s.activeLoans), drill: 'loans', note: '逾期贷款·天 ÷ 在贷贷款·天（每日日终快照）' },
} as const satisfies Record<string, MeasureDef>;
export type MeasureKey = keyof typeof measures;
export const measureKeys = Object.keys(measures) as MeasureKey[];

export const timeDimensions = ['day', 'week', 'month'] as const;
export const dimensions = {
  day: '日',
  week: '周',
  month: '月',
  institution: '机构',
  product: '产品',
  category: '品类',
  channel: '渠道',
  subId: '渠道子 ID',
  region: '地区',
  creditBand: '信用自评',
  purpose: '借款用途',
  device: '终端',
} as const;
export type DimensionKey = keyof typeof dimensions;
export const dimensionKeys = Object.keys(dimensions) as DimensionKey[];
export type FilterKey = Exclude<DimensionKey, 'day' | 'week' | 'month'>;
export const filterKeys = dimensionKeys.filter((d): d is FilterKey => !(timeDimensions as readonly string[]).includes(d));

/** The rollup column (or expression) a dimension groups by; week and month keys are their first day. */
export const dimensionSql: Record<DimensionKey, string> = {
  day: `to_char(f.day, 'YYYY-MM-DD')`,
  week: `to_char(date_trunc('week', f.day)::date, 'YYYY-MM-DD')`,
  month: `to_char(f.day, 'YYYY-MM') || '-01'`,
  institution: 'f.institution_id',
  product: 'f.product_id',
  category: 'f.category',
  channel: 'f.channel_id',
  subId: `f.channel_id || '/' || f.sub_id`,
  region: 'f.region',
  creditBand: 'f.credit_band',
  purpose: 'f.purpose',
  device: 'f.device',
};

/** What a time dimension groups by (a date, formatted only once per group: cheaper than formatting every row). */
export const timeGroupSql: Record<'day' | 'week' | 'month', string> = {
  day: 'f.day',
  week: `date_trunc('week', f.day)::date`,
  month: `date_trunc('month', f.day)::date`,
};

export const MAX_BI_DAYS = 400;

export interface BiSelection {
  measures: MeasureKey[];
  rows: DimensionKey | null;
  cols: DimensionKey | null;
  from: string;
  to: string;
  filters: Partial<Record<FilterKey, string>>;
}

const isoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式为 YYYY-MM-DD');
const list = (v: unknown): string[] =>
  v === undefined || v === null || v === '' ? [] : (Array.isArray(v) ? v : [v]).flatMap((x) => String(x).split(',')).map((s) => s.trim()).filter(Boolean);

/**
 * Reads a selection from a query string (`measures=a,b` or repeated, `rows`, `cols`, `from`, `to`,
 * `f.<dimension>=value`) or the same fields as JSON. An unknown measure or dimension, a bad date,
 * the same dimension twice or more than 400 days is a ValidationError naming the field.
 */
export function parseSelection(input: Record<string, unknown>, today: string): BiSelection {
  const fields: Record<string, string> = {};
  const ms = list(input.measures);
  const unknownMeasure = ms.find((m) => !(m in measures));
  if (unknownMeasure) fields.measures = `未知的指标：${unknownMeasure}（可选 ${measureKeys.join('、')}）`;
  const dim = (name: 'rows' | 'cols'): DimensionKey | null => {
    const v = input[name];
    if (v === undefined || v === null || v === '') return null;
    if (typeof v !== 'string' || !(v in dimensions)) {
      fields[name] = `未知的维度：${String(v)}（可选 ${dimensionKeys.join('、')}）`;
      return null;
    }
    return v as DimensionKey;
  };
  const rows = dim('rows');
  const cols = dim('cols');
  if (rows && cols && rows === cols) fields.cols = '行与列不能是同一个维度';
  const day = (name: 'from' | 'to', fallback: string) => {
    const v = input[name];
    if (v === undefined || v === null || v === '') return fallback;
    const r = isoDay.safeParse(v);
    if (!r.success || Number.isNaN(Date.parse(`${String(v)}T00:00:00Z`)) || new Date(`${String(v)}T00:00:00Z`).toISOString().slice(0, 10) !== v) {
      fields[name] = '日期格式为 YYYY-MM-DD';
      return fallback;
    }
    return v as string;
  };
  const to = day('to', today);
  const from = day('from', shiftDay(to, -29));
  if (!fields.from && !fields.to) {
    if (from > to) fields.from = '开始日期不能晚于结束日期';
    else if (daysBetween(from, to) + 1 > MAX_BI_DAYS) fields.to = `最长 ${MAX_BI_DAYS} 天`;
  }
  const filters: Partial<Record<FilterKey, string>> = {};
  const rawFilters: Record<string, unknown> = { ...(typeof input.filters === 'object' && input.filters !== null ? (input.filters as Record<string, unknown>) : {}) };
  for (const [k, v] of Object.entries(input)) if (k.startsWith('f.')) rawFilters[k.slice(2)] = v;
  for (const [k, v] of Object.entries(rawFilters)) {
    if (!(filterKeys as string[]).includes(k)) {
      fields[`filters.${k}`] = `未知的筛选维度：${k}`;
      continue;
    }
    if (typeof v !== 'string') {
      fields[`filters.${k}`] = '筛选值须为文字';
      continue;
    }
    // an empty choice is 全部 (the form's menus send it): no filter
    if (v !== '') filters[k as FilterKey] = v;
  }
  if (Object.keys(fields).length) throw new ValidationError('查询条件有误', fields);
  return { measures: ms.length ? (ms as MeasureKey[]) : ['applications', 'approvals', 'disbursedAmount'], rows, cols, from, to, filters };
}

/** The query string of a selection (the page's links, a saved view). */
export function selectionQuery(s: BiSelection): URLSearchParams {
  const q = new URLSearchParams({ measures: s.measures.join(','), from: s.from, to: s.to });
  if (s.rows) q.set('rows', s.rows);
  if (s.cols) q.set('cols', s.cols);
  for (const [k, v] of Object.entries(s.filters)) q.set(`f.${k}`, v);
  return q;
}

export function shiftDay(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
}

/** The last day of a time dimension's period that starts on `key`. */
export function periodEnd(dim: 'day' | 'week' | 'month', key: string): string {
  if (dim === 'day') return key;
  if (dim === 'week') return shiftDay(key, 6);
  const d = new Date(`${key}T00:00:00Z`);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).toISOString().slice(0, 10);
}

/** A rate with two decimals ("12.35%"), "—" when there is nothing to divide by. */
export function rateText(rate: number | null): string {
  return rate === null || !Number.isFinite(rate) ? '—' : `${(rate * 100).toFixed(2)}%`;
}

/** A measure's value as shown: counts with thousands separators, money in ¥, rates in % with two decimals. */
export function measureText(key: MeasureKey, value: number | null): string {
  const unit: MeasureUnit = measures[key].unit;
  if (value === null) return '—';
  if (unit === 'rate') return rateText(value);
  if (unit === 'fen') return formatYuan(value);
  return value.toLocaleString('zh-CN');
}

export const creditBandLabels: Record<string, string> = { excellent: '极好', good: '良好', fair: '一般', poor: '较差', unknown: '不清楚' };
export const deviceLabels: Record<string, string> = { web: '网站', api: 'API / App' };
export const ORGANIC = 'organic';

/** The cohort view's choices: a period of registrations (default the 12 weeks up to today), a channel, split by channel. Bad dates: ValidationError naming the field. */
export function cohortRequest(q: Record<string, unknown>, today: string): { from: string; to: string; channel?: string; byChannel: boolean } {
  const sel = parseSelection({ from: q.from || undefined, to: q.to || undefined }, today);
  const from = q.from ? sel.from : shiftDay(sel.to, -83);
  const channel = typeof q.channel === 'string' && q.channel ? q.channel : undefined;
  return { from, to: sel.to, channel, byChannel: q.byChannel === '1' || q.byChannel === 'true' };
}
