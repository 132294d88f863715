import { sql, type SQL } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { queryRows, sqlState, UNIQUE_VIOLATION } from '../../db/client';
import type { Clock } from '../../lib/clock';
import { ConflictError, NotFoundError, ValidationError } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { maskName, maskPhone, type PiiCipher } from '../../lib/pii';
import { shanghaiDate, shanghaiDayEnd, shanghaiDayStart } from '../../lib/shanghai-date';
import type { AuditActor, AuditService } from '../audit';
import type { NotificationsService } from '../notifications';
import { biAlertKinds, type BiAlertKind } from './analytics.schema';
import {
  addSums,
  baseColumns,
  creditBandLabels,
  daysBetween,
  deviceLabels,
  dimensionSql,
  emptySums,
  MAX_BI_DAYS,
  measures,
  measureText,
  ORGANIC,
  periodEnd,
  rateText,
  shiftDay,
  timeDimensions,
  timeGroupSql,
  type BaseSums,
  type BiSelection,
  type DimensionKey,
  type DrillSet,
  type FilterKey,
  type MeasureKey,
} from './bi-model';
import { ACCOUNT_JOINS, APP_JOINS, accountDims, appDims, rebuildDay } from './rollup';
import { rebuildFunnelDay } from './funnel-rollup';
import { withTransaction } from '../../lib/tx';
import { accountVisitorKey } from './visitor-key';

export interface PivotValue {
  value: number | null;
  text: string;
}
export interface PivotHeader {
  key: string;
  label: string;
}
export interface PivotResult {
  selection: BiSelection;
  rows: PivotHeader[];
  cols: PivotHeader[];
  /** cells[rowIndex][colIndex][measure] */
  cells: Record<MeasureKey, PivotValue>[][];
  rowTotals: Record<MeasureKey, PivotValue>[];
  colTotals: Record<MeasureKey, PivotValue>[];
  total: Record<MeasureKey, PivotValue>;
}

export interface DrillRow {
  kind: 'application' | 'borrower';
  id: string;
  at: Date;
  borrower: string;
  channel: string;
  region: string;
  institution: string;
  product: string;
  amountFen: number | null;
  status: string;
}

export interface CohortRow {
  week: string;
  channel: string | null;
  channelLabel: string | null;
  size: number;
  /** weeks 0..8: the share of the cohort who had applied / been approved / had a loan disbursed by the end of week k; null = not over yet */
  applied: (number | null)[];
  approved: (number | null)[];
  disbursed: (number | null)[];
}
export const COHORT_WEEKS = 9;

export interface AlertSubscriptionInput {
  kind: BiAlertKind;
  subject?: string | null;
  thresholdPoints: number;
  minBase?: number;
  phone?: string | null;
}

export const alertKindLabels: Record<BiAlertKind, string> = {
  channel_conversion: '渠道转化率（注册 → 申请）变动',
  channel_fraud: '渠道风险注册占比变动',
  institution_approval: '机构批核率下降',
  region_overdue: '地区逾期率上升',
};

export interface BiServiceDeps {
  db: Database;
  audit: AuditService;
  clock: Clock;
  pii: PiiCipher;
  notifications: NotificationsService;
}

const filterColumn: Record<FilterKey, string> = {
  institution: 'institution_id',
  product: 'product_id',
  category: 'category',
  channel: 'channel_id',
  subId: 'sub_id',
  region: 'region',
  creditBand: 'credit_band',
  purpose: 'purpose',
  device: 'device',
};

const num = (v: unknown): number => Number(v ?? 0);

/**
 * The operators' BI: pivots over the rollup (bi_daily_facts), drill-down into the rows behind a
 * cell (read from the raw records with the rollup's own dimension expressions, so a cell and its
 * rows agree), saved views, registration cohorts and alerts. Rebuilding the rollup is here too.
 */
export class BiService {
  constructor(private readonly deps: BiServiceDeps) {}

  /** The service's clock (pages default their periods to it). */
  now(): Date {
    return this.deps.clock.now();
  }

  /** Today in Asia/Shanghai, by the service's clock. */
  today(): string {
    return shanghaiDate(this.deps.clock.now());
  }

  /** Every channel, by name, for the filter menus. */
  channelOptions(): Promise<{ id: string; name: string; code: string }[]> {
    return queryRows(this.deps.db, sql`select id, name, code from channels order by name, id`);
  }

  // ---- rollup ------------------------------------------------------------------------------

  /** Rebuilds every day of [from, to] (each in its own transaction); returns the rows written. Keys new consumer accounts for the funnel first. */
  async rebuild(from: string, to: string, now = this.deps.clock.now(), signal?: AbortSignal): Promise<{ days: number; rows: number }> {
    await this.fillVisitorKeys();
    let rows = 0;
    let days = 0;
    for (let day = from; day <= to; day = shiftDay(day, 1)) {
      if (signal?.aborted) break;
      rows += await rebuildDay(this.deps.db, day, now);
      days += 1;
    }
    return { days, rows };
  }

  /** Stores the visitor key of every consumer account that has none yet (visitor_keys), in batches; how many it keyed. */
  async fillVisitorKeys(batch = 5000): Promise<number> {
    let keyed = 0;
    for (;;) {
      const ids = await queryRows<{ id: string }>(
        this.deps.db,
        sql`select a.id from accounts a where a.kind = 'consumer' and not exists (select 1 from visitor_keys k where k.account_id = a.id) order by a.id limit ${batch}`,
      );
      if (!ids.length) return keyed;
      const rows = ids.map((r) => sql`(${r.id}, ${accountVisitorKey(this.deps.pii, r.id)})`);
      await this.deps.db.execute(sql`insert into visitor_keys (account_id, visitor) values ${sql.join(rows, sql`, `)} on conflict (account_id) do nothing`);
      keyed += ids.length;
      if (ids.length < batch) return keyed;
    }
  }

  /**
   * Past days of the last `lookback` never rolled up (a new installation, a database restored
   * from before the rollup existed), oldest first, at most `max` per call: the ticker fills them
   * a few at a time so the BI view has history soon after the first start.
   */
  async fillMissing(now = this.deps.clock.now(), lookback = 90, max = 10): Promise<{ days: number; rows: number; more: boolean }> {
    const today = shanghaiDate(now);
    // a day rolled up before the funnel rollup existed (an upgrade) needs only its funnel rows
    const missing = await queryRows<{ day: string; funnel_only: boolean }>(
      this.deps.db,
      sql`select to_char(d, 'YYYY-MM-DD') as day, exists (select 1 from bi_rollup_days r where r.day = d::date) as funnel_only
        from generate_series(${shiftDay(today, -lookback)}::date, ${shiftDay(today, -1)}::date, interval '1 day') d
        where not exists (select 1 from bi_rollup_days r where r.day = d::date) or not exists (select 1 from funnel_rollup_days f where f.day = d::date)
        order by d limit ${max + 1}`,
    );
    if (missing.length) await this.fillVisitorKeys();
    let rows = 0;
    for (const { day, funnel_only } of missing.slice(0, max)) {
      if (funnel_only) await withTransaction(this.deps.db, (tx) => rebuildFunnelDay(tx, day, now));
      else rows += await rebuildDay(this.deps.db, day, now);
    }
    return { days: Math.min(max, missing.length), rows, more: missing.length > max };
  }

  /** An operator rebuilds a date range (at most 400 days, not in the future): recorded. */
  async rebuildForOperator(actor: AuditActor, from: string, to: string): Promise<{ days: number; rows: number }> {
    const today = shanghaiDate(this.deps.clock.now());
    const fields: Record<string, string> = {};
    if (!/^\d{4}-\d{2}-\d{2}$/.test(from)) fields.from = '日期格式为 YYYY-MM-DD';
    if (!/^\d{4}-\d{2}-\d{2}$/.test(to)) fields.to = '日期格式为 YYYY-MM-DD';
    else if (to > today) fields.to = '不能晚于今天';
    if (!fields.from && !fields.to && from > to) fields.from = '开始日期不能晚于结束日期';
    if (!fields.from && !fields.to && daysBetween(from, to) + 1 > MAX_BI_DAYS) fields.to = `最长 ${MAX_BI_DAYS} 天`;
    if (Object.keys(fields).length) throw new ValidationError('重建日期有误', fields);
    const result = await this.rebuild(from, to);
    await this.deps.audit.recordNow(actor, { action: 'bi.rollup_rebuilt', objectType: 'dashboard', objectId: null, detail: { from, to, ...result } });
    return result;
  }

  /** When the rollup was last refreshed: today's and the oldest of the last 7 past days (null = never). */
  async freshness(now = this.deps.clock.now()): Promise<{ today: Date | null; pastOldest: Date | null; pastMissing: number }> {
    const today = shanghaiDate(now);
    const rows = await queryRows<{ day: string; refreshed_at: Date | string }>(
      this.deps.db,
      sql`select to_char(day, 'YYYY-MM-DD') as day, refreshed_at from bi_rollup_days where day between ${shiftDay(today, -7)}::date and ${today}::date`,
    );
    const at = new Map(rows.map((r) => [r.day, new Date(r.refreshed_at)]));
    const past = [1, 2, 3, 4, 5, 6, 7].map((n) => at.get(shiftDay(today, -n)) ?? null);
    const known = past.filter((d): d is Date => d !== null);
    return {
      today: at.get(today) ?? null,
      pastOldest: known.length ? new Date(Math.min(...known.map((d) => d.getTime()))) : null,
      pastMissing: past.length - known.length,
    };
  }

  // ---- pivot -------------------------------------------------------------------------------

  private filterSql(filters: BiSelection['filters']): SQL[] {
    return Object.entries(filters).map(([k, v]) => sql`${sql.raw(dimensionSql[k as FilterKey])} = ${v}`);
  }

  /** The pivot of a selection: summed rollup rows per row × column key, derived measures, totals. */
  async query(sel: BiSelection): Promise<PivotResult> {
    const groupExpr = (d: DimensionKey | null) => (!d ? `'total'` : d in timeGroupSql ? timeGroupSql[d as keyof typeof timeGroupSql] : dimensionSql[d]);
    const formatted = (d: DimensionKey | null, col: string) => (d && d in timeGroupSql ? `to_char(${col}, 'YYYY-MM-DD')` : col);
    const rowExpr = groupExpr(sel.rows);
    const colExpr = groupExpr(sel.cols);
    // only the sums the chosen measures need
    const used = [...new Set(sel.measures.flatMap((m) => measures[m].uses))];
    const sums = used.map((k) => `coalesce(sum(f.${baseColumns[k]}), 0)::bigint as ${baseColumns[k]}`).join(', ');
    const where = [sql`f.day between ${sel.from}::date and ${sel.to}::date`, ...this.filterSql(sel.filters)];
    const labelsRead = this.labels();
    const found = await queryRows<Record<string, unknown>>(
      this.deps.db,
      sql`select ${sql.raw(formatted(sel.rows, 'g.r'))} as r, ${sql.raw(formatted(sel.cols, 'g.c'))} as c${sql.raw(used.map((k) => `, g.${baseColumns[k]}`).join(''))} from (
        select ${sql.raw(rowExpr)} as r, ${sql.raw(colExpr)} as c, ${sql.raw(sums)} from bi_daily_facts f where ${sql.join(where, sql` and `)} group by 1, 2) g`,
    );
    const cellSums = new Map<string, BaseSums>();
    const rowSums = new Map<string, BaseSums>();
    const colSums = new Map<string, BaseSums>();
    const grand = emptySums();
    for (const r of found) {
      const s = emptySums();
      for (const k of used) s[k] = num(r[baseColumns[k]]);
      const rk = String(r.r);
      const ck = String(r.c);
      cellSums.set(`${rk}\u0000${ck}`, s);
      addSums(rowSums.get(rk) ?? (rowSums.set(rk, emptySums()), rowSums.get(rk)!), s);
      addSums(colSums.get(ck) ?? (colSums.set(ck, emptySums()), colSums.get(ck)!), s);
      addSums(grand, s);
    }
    const first = sel.measures[0]!;
    // a row or column where every chosen measure is zero (other measures' facts only) is left out
    const shows = (x: BaseSums) => sel.measures.some((m) => (measures[m].value(x) ?? 0) !== 0);
    const order = (dim: DimensionKey | null, keys: Map<string, BaseSums>): string[] => {
      const ks = [...keys.keys()].filter((k) => shows(keys.get(k)!));
      if (!dim) return ['total'];
      if ((timeDimensions as readonly string[]).includes(dim)) return ks.sort();
      return ks.sort((a, b) => (measures[first].value(keys.get(b)!) ?? -Infinity) - (measures[first].value(keys.get(a)!) ?? -Infinity) || a.localeCompare(b));
    };
    const rowKeys = order(sel.rows, rowSums);
    const colKeys = order(sel.cols, colSums);
    const labels = await labelsRead;
    const values = (s: BaseSums | undefined) =>
      Object.fromEntries(
        sel.measures.map((m) => {
          const v = measures[m].value(s ?? emptySums());
          return [m, { value: v, text: measureText(m, v) }];
        }),
      ) as Record<MeasureKey, PivotValue>;
    const header = (dim: DimensionKey | null, key: string): PivotHeader => ({ key, label: dim ? labels(dim, key) : '合计' });
    return {
      selection: sel,
      rows: rowKeys.map((k) => header(sel.rows, k)),
      cols: colKeys.map((k) => header(sel.cols, k)),
      cells: rowKeys.map((rk) => colKeys.map((ck) => values(cellSums.get(`${rk}\u0000${ck}`)))),
      rowTotals: rowKeys.map((rk) => values(rowSums.get(rk))),
      colTotals: colKeys.map((ck) => values(colSums.get(ck))),
      total: values(grand),
    };
  }

  /** The pivot for an export: recorded. */
  async exportPivot(actor: AuditActor, sel: BiSelection): Promise<PivotResult> {
    const result = await this.query(sel);
    await this.deps.audit.recordNow(actor, { action: 'bi.exported', objectType: 'dashboard', objectId: null, detail: { ...sel } });
    return result;
  }

  /** Names for dimension keys: institutions, products, channels (code and name), labels of codes. */
  async labels(): Promise<(dim: DimensionKey, key: string) => string> {
    const [insts, prods, chans] = await Promise.all([
      queryRows<{ id: string; name: string }>(this.deps.db, sql`select id, short_name as name from institutions`),
      queryRows<{ id: string; name: string }>(this.deps.db, sql`select id, name from products`),
      queryRows<{ id: string; name: string; code: string }>(this.deps.db, sql`select id, name, code from channels`),
    ]);
    const inst = new Map(insts.map((r) => [r.id, r.name]));
    const prod = new Map(prods.map((r) => [r.id, r.name]));
    const chan = new Map(chans.map((r) => [r.id, `${r.name}（${r.code}）`]));
    const channelLabel = (id: string) => (id === ORGANIC ? '自然流量' : (chan.get(id) ?? id));
    return (dim, key) => {
      if (key === '') return '未指定';
      switch (dim) {
        case 'week':
          return `${key} 周`;
        case 'month':
          return key.slice(0, 7);
        case 'institution':
          return inst.get(key) ?? key;
        case 'product':
          return prod.get(key) ?? key;
        case 'channel':
          return channelLabel(key);
        case 'subId': {
          const [c, ...rest] = key.split('/');
          const sub = rest.join('/');
          return `${channelLabel(c!)} / ${sub === '' ? '（无子 ID）' : sub}`;
        }
        case 'creditBand':
          return creditBandLabels[key] ?? key;
        case 'device':
          return deviceLabels[key] ?? key;
        default:
          return key;
      }
    };
  }

  // ---- drill-down --------------------------------------------------------------------------

  /**
   * The rows behind one cell: the selection's period and filters narrowed by the cell's row and
   * column keys (a missing key: the total across that dimension), and the rows of the measure's kind (registrations → borrowers; applications,
   * commission, channel cost, ROI → applications created; approvals; decisions for the approval
   * rate; disbursements; loans outstanding for the overdue rate). Names masked. Recorded.
   */
  async drill(actor: AuditActor, sel: BiSelection, cell: { measure: MeasureKey; row?: string; col?: string }, limit = 500): Promise<{ set: DrillSet | 'decisions'; from: string; to: string; filters: Record<string, string>; total: number; rows: DrillRow[] }> {
    let from = sel.from;
    let to = sel.to;
    const filters: Partial<Record<FilterKey, string>> = { ...sel.filters };
    const fields: Record<string, string> = {};
    for (const [dim, key, name] of [
      [sel.rows, cell.row, 'row'],
      [sel.cols, cell.col, 'col'],
    ] as const) {
      // no key: the total across that dimension (a row's or a column's total)
      if (!dim || key === undefined) continue;
      if ((timeDimensions as readonly string[]).includes(dim)) {
        if (!/^\d{4}-\d{2}-\d{2}$/.test(key)) {
          fields[name] = '日期格式为 YYYY-MM-DD';
          continue;
        }
        from = key > from ? key : from;
        const end = periodEnd(dim as 'day' | 'week' | 'month', key);
        to = end < to ? end : to;
      } else filters[dim as FilterKey] = key;
    }
    if (Object.keys(fields).length) throw new ValidationError('明细条件有误', fields);
    const set: DrillSet | 'decisions' = cell.measure === 'approvalRate' ? 'decisions' : measures[cell.measure].drill;
    const s = shanghaiDayStart(from);
    const e = shanghaiDayEnd(to);
    const empty = from > to;
    const { total, rows } = empty ? { total: 0, rows: [] } : await this.drillRows(set, s, e, filters, limit);
    await this.deps.audit.recordNow(actor, {
      action: 'bi.drilled',
      objectType: 'dashboard',
      objectId: null,
      detail: { measure: cell.measure, set, from, to, filters: { ...filters }, rows: rows.length, total },
    });
    return { set, from, to, filters: filters as Record<string, string>, total, rows };
  }

  private async drillRows(set: DrillSet | 'decisions', s: Date, e: Date, filters: Partial<Record<FilterKey, string>>, limit: number): Promise<{ total: number; rows: DrillRow[] }> {
    const dimsOf = set === 'registrations' ? { ...Object.fromEntries(Object.keys(filterColumn).map((k) => [filterColumn[k as FilterKey], `''`])), ...accountDims } : appDims;
    const exprOf = (k: FilterKey) => (k === 'subId' ? `${(dimsOf as Record<string, string>).channel_id} || '/' || ${(dimsOf as Record<string, string>).sub_id}` : (dimsOf as Record<string, string>)[filterColumn[k]]!);
    const conds = Object.entries(filters).map(([k, v]) => sql`${sql.raw(exprOf(k as FilterKey))} = ${v}`);
    const and = (base: SQL) => (conds.length ? sql`${base} and ${sql.join(conds, sql` and `)}` : base);
    if (set === 'registrations') {
      const where = and(sql`acc.kind = 'consumer' and acc.created_at >= ${s} and acc.created_at < ${e}`);
      const [count] = await queryRows<{ n: number }>(this.deps.db, sql`select count(*)::int as n from accounts acc ${sql.raw(ACCOUNT_JOINS)} where ${where}`);
      const found = await queryRows<{ id: string; at: Date | string; login: string; channel: string; region: string }>(
        this.deps.db,
        sql`select acc.id, acc.created_at as at, acc.login_masked as login, ${sql.raw(accountDims.channel_id!)} as channel, ${sql.raw(accountDims.region!)} as region
          from accounts acc ${sql.raw(ACCOUNT_JOINS)} where ${where} order by acc.created_at desc, acc.id limit ${limit}`,
      );
      const label = await this.labels();
      return {
        total: num(count?.n),
        rows: found.map((r) => ({ kind: 'borrower', id: r.id, at: new Date(r.at), borrower: r.login, channel: label('channel', r.channel), region: r.region || '未指定', institution: '', product: '', amountFen: null, status: '' })),
      };
    }
    const base = {
      applications: sql`a.created_at >= ${s} and a.created_at < ${e}`,
      approvals: sql`exists (select 1 from application_events ev where ev.application_id = a.id and ev.to_status = 'approved' and ev.created_at >= ${s} and ev.created_at < ${e})`,
      decisions: sql`exists (select 1 from application_events ev where ev.application_id = a.id and ev.to_status in ('approved', 'rejected') and ev.created_at >= ${s} and ev.created_at < ${e})`,
      disbursements: sql`a.status = 'disbursed' and a.disbursed_at >= ${s} and a.disbursed_at < ${e}`,
      loans: sql`exists (select 1 from loans l where l.application_id = a.id and l.disbursed_at < ${e} and (l.settled_at is null or l.settled_at >= ${s}))`,
    }[set];
    const where = and(base);
    const [count] = await queryRows<{ n: number }>(this.deps.db, sql`select count(*)::int as n from applications a ${sql.raw(APP_JOINS)} where ${where}`);
    const found = await queryRows<{ id: string; at: Date | string; name_enc: string; channel: string; region: string; institution_id: string; product: string; amount: number | string; status: string; disbursed: number | string | null }>(
      this.deps.db,
      sql`select a.id, a.created_at as at, a.applicant_name_enc as name_enc, ${sql.raw(appDims.channel_id)} as channel, a.applicant_city as region, a.institution_id,
          p.name as product, a.amount_fen as amount, a.status, a.disbursed_amount_fen as disbursed
        from applications a ${sql.raw(APP_JOINS)} where ${where} order by a.created_at desc, a.id limit ${limit}`,
    );
    const label = await this.labels();
    return {
      total: num(count?.n),
      rows: found.map((r) => ({
        kind: 'application',
        id: r.id,
        at: new Date(r.at),
        borrower: this.maskedName(r.name_enc),
        channel: label('channel', r.channel),
        region: r.region || '未指定',
        institution: label('institution', r.institution_id),
        product: r.product,
        amountFen: r.disbursed !== null && set === 'disbursements' ? num(r.disbursed) : num(r.amount),
        status: r.status,
      })),
    };
  }

  private maskedName(enc: string): string {
    try {
      return maskName(this.deps.pii.decrypt(enc));
    } catch {
      return '*';
    }
  }

  // ---- saved views -------------------------------------------------------------------------

  async saveView(actor: AuditActor & { id: string }, name: string, sel: BiSelection): Promise<{ id: string; name: string }> {
    const trimmed = name.trim();
    if (!trimmed || trimmed.length > 60) throw new ValidationError('视图名称有误', { name: trimmed ? '名称最多 60 个字' : '请填写名称' });
    const id = newId('biv');
    try {
      await this.deps.db.execute(sql`insert into bi_saved_views (id, account_id, name, spec, created_at) values (${id}, ${actor.id}, ${trimmed}, ${JSON.stringify(sel)}::jsonb, ${this.deps.clock.now()})`);
    } catch (err) {
      if (sqlState(err) === UNIQUE_VIOLATION) throw new ConflictError('view_name_taken', `已有名为「${trimmed}」的视图`, { name: '已有同名视图' });
      throw err;
    }
    await this.deps.audit.recordNow(actor, { action: 'bi.view_saved', objectType: 'bi_view', objectId: id, detail: { name: trimmed } });
    return { id, name: trimmed };
  }

  async listViews(accountId: string): Promise<{ id: string; name: string; spec: BiSelection; createdAt: Date }[]> {
    const rows = await queryRows<{ id: string; name: string; spec: BiSelection | string; created_at: Date | string }>(
      this.deps.db,
      sql`select id, name, spec, created_at from bi_saved_views where account_id = ${accountId} order by created_at desc, id`,
    );
    return rows.map((r) => ({ id: r.id, name: r.name, spec: typeof r.spec === 'string' ? (JSON.parse(r.spec) as BiSelection) : r.spec, createdAt: new Date(r.created_at) }));
  }

  /** One of the operator's own views (404 for anyone else's). */
  async view(accountId: string, id: string): Promise<{ id: string; name: string; spec: BiSelection; createdAt: Date }> {
    const found = (await this.listViews(accountId)).find((v) => v.id === id);
    if (!found) throw new NotFoundError('视图');
    return found;
  }

  async deleteView(actor: AuditActor & { id: string }, id: string): Promise<void> {
    const gone = await queryRows<{ id: string }>(this.deps.db, sql`delete from bi_saved_views where id = ${id} and account_id = ${actor.id} returning id`);
    if (!gone.length) throw new NotFoundError('视图');
    await this.deps.audit.recordNow(actor, { action: 'bi.view_deleted', objectType: 'bi_view', objectId: id });
  }

  // ---- cohorts -----------------------------------------------------------------------------

  /**
   * Borrowers by registration week (Monday, Asia/Shanghai) in [from, to], optionally of one channel
   * or split by channel, and the share of each cohort who by the end of week k after registering
   * (k = 0..8, a week = 7 days from the registration instant) had applied, been approved, had a
   * loan disbursed. A week not yet over for the whole cohort is null.
   */
  async cohorts(opts: { from: string; to: string; channel?: string; byChannel?: boolean }, now = this.deps.clock.now()): Promise<CohortRow[]> {
    const s = shanghaiDayStart(opts.from);
    const e = shanghaiDayEnd(opts.to);
    const weekExpr = `to_char(date_trunc('week', acc.created_at at time zone 'Asia/Shanghai')::date, 'YYYY-MM-DD')`;
    const counts: string[] = [];
    for (let k = 0; k < COHORT_WEEKS; k++) {
      const within = `interval '${7 * (k + 1)} days'`;
      counts.push(`count(*) filter (where applied_at < reg + ${within}) as applied_${k}`);
      counts.push(`count(*) filter (where approved_at < reg + ${within}) as approved_${k}`);
      counts.push(`count(*) filter (where disbursed_at < reg + ${within}) as disbursed_${k}`);
    }
    const rows = await queryRows<Record<string, unknown>>(
      this.deps.db,
      sql`with c as (
          select acc.id, acc.created_at as reg, ${sql.raw(weekExpr)} as week, coalesce(ca.channel_id, 'organic') as channel,
            (select min(a.created_at) from applications a where a.consumer_id = acc.id) as applied_at,
            (select min(ev.created_at) from application_events ev join applications a on a.id = ev.application_id where a.consumer_id = acc.id and ev.to_status = 'approved') as approved_at,
            (select min(a.disbursed_at) from applications a where a.consumer_id = acc.id and a.status = 'disbursed') as disbursed_at
          from accounts acc left join channel_attributions ca on ca.account_id = acc.id
          where acc.kind = 'consumer' and acc.created_at >= ${s} and acc.created_at < ${e}
            ${opts.channel ? sql`and coalesce(ca.channel_id, 'organic') = ${opts.channel}` : sql``}
        )
        select week, ${sql.raw(opts.byChannel ? 'channel' : `''`)} as channel, count(*)::int as size, max(reg) as last_reg, ${sql.raw(counts.join(', '))}
        from c group by 1, 2 order by 1, 2`,
    );
    const label = await this.labels();
    return rows.map((r) => {
      const size = num(r.size);
      const lastReg = new Date(r.last_reg as string).getTime();
      const series = (name: string) =>
        Array.from({ length: COHORT_WEEKS }, (_, k) => (lastReg + 7 * (k + 1) * 86_400_000 > now.getTime() ? null : size ? num(r[`${name}_${k}`]) / size : null));
      const channel = opts.byChannel ? String(r.channel) : (opts.channel ?? null);
      return { week: String(r.week), channel, channelLabel: channel ? label('channel', channel) : null, size, applied: series('applied'), approved: series('approved'), disbursed: series('disbursed') };
    });
  }

  // ---- alerts ------------------------------------------------------------------------------

  async subscribe(actor: AuditActor & { id: string }, input: AlertSubscriptionInput): Promise<{ id: string }> {
    const fields: Record<string, string> = {};
    if (!(biAlertKinds as readonly string[]).includes(input.kind)) fields.kind = `未知的预警类型（可选 ${biAlertKinds.join('、')}）`;
    if (!Number.isFinite(input.thresholdPoints) || input.thresholdPoints <= 0 || input.thresholdPoints > 100) fields.thresholdPoints = '阈值为 0–100 之间的百分点';
    const minBase = input.minBase ?? 10;
    if (!Number.isInteger(minBase) || minBase < 1 || minBase > 100000) fields.minBase = '最小样本为 1–100000 的整数';
    const phone = input.phone?.trim() || null;
    if (phone && !/^1\d{10}$/.test(phone)) fields.phone = '请填写 11 位手机号';
    const subject = input.subject?.trim() || null;
    if (subject && !fields.kind && input.kind !== 'region_overdue') {
      const table = input.kind === 'institution_approval' ? sql`institutions` : sql`channels`;
      const known = await queryRows(this.deps.db, sql`select 1 from ${table} where id = ${subject}`);
      if (!known.length) fields.subject = input.kind === 'institution_approval' ? '没有这家机构' : '没有这个渠道';
    }
    if (Object.keys(fields).length) throw new ValidationError('预警订阅有误', fields);
    const id = newId('bia');
    await this.deps.db.execute(sql`insert into bi_alert_subscriptions (id, account_id, kind, subject, threshold_points, min_base, phone_enc, phone_masked, created_at)
      values (${id}, ${actor.id}, ${input.kind}, ${subject}, ${input.thresholdPoints.toFixed(2)}, ${minBase}, ${phone ? this.deps.pii.encrypt(phone) : null}, ${phone ? maskPhone(phone) : ''}, ${this.deps.clock.now()})`);
    await this.deps.audit.recordNow(actor, { action: 'bi.alert_subscribed', objectType: 'bi_alert_subscription', objectId: id, detail: { kind: input.kind, subject: input.subject ?? null, thresholdPoints: input.thresholdPoints, minBase } });
    return { id };
  }

  async unsubscribe(actor: AuditActor & { id: string }, id: string): Promise<void> {
    const gone = await queryRows<{ id: string }>(this.deps.db, sql`update bi_alert_subscriptions set active = false where id = ${id} and account_id = ${actor.id} and active returning id`);
    if (!gone.length) throw new NotFoundError('预警订阅');
    await this.deps.audit.recordNow(actor, { action: 'bi.alert_unsubscribed', objectType: 'bi_alert_subscription', objectId: id });
  }

  async subscriptions(accountId: string): Promise<{ id: string; kind: BiAlertKind; kindLabel: string; subject: string | null; subjectLabel: string; thresholdPoints: number; minBase: number; phoneMasked: string; createdAt: Date }[]> {
    const rows = await queryRows<{ id: string; kind: BiAlertKind; subject: string | null; threshold_points: string; min_base: number; phone_masked: string; created_at: string | Date }>(
      this.deps.db,
      sql`select id, kind, subject, threshold_points, min_base, phone_masked, created_at from bi_alert_subscriptions where account_id = ${accountId} and active order by created_at desc, id`,
    );
    const label = await this.labels();
    const subjectDim: Record<BiAlertKind, DimensionKey> = { channel_conversion: 'channel', channel_fraud: 'channel', institution_approval: 'institution', region_overdue: 'region' };
    return rows.map((r) => ({ id: r.id, kind: r.kind, kindLabel: alertKindLabels[r.kind], subject: r.subject, subjectLabel: r.subject ? label(subjectDim[r.kind], r.subject) : '全部', thresholdPoints: Number(r.threshold_points), minBase: num(r.min_base), phoneMasked: r.phone_masked, createdAt: new Date(r.created_at) }));
  }

  /** Fired alerts, newest first. */
  async alerts(limit = 200): Promise<{ id: string; day: string; kind: BiAlertKind; kindLabel: string; subject: string; subjectLabel: string; previousRate: number; currentRate: number; message: string; createdAt: Date }[]> {
    const rows = await queryRows<{ id: string; day: string; kind: BiAlertKind; subject: string; subject_label: string; previous_rate: string; current_rate: string; message: string; created_at: string | Date }>(
      this.deps.db,
      sql`select id, to_char(day, 'YYYY-MM-DD') as day, kind, subject, subject_label, previous_rate, current_rate, message, created_at from bi_alerts order by created_at desc, id limit ${limit}`,
    );
    return rows.map((r) => ({ id: r.id, day: r.day, kind: r.kind, kindLabel: alertKindLabels[r.kind], subject: r.subject, subjectLabel: r.subject_label, previousRate: Number(r.previous_rate), currentRate: Number(r.current_rate), message: r.message, createdAt: new Date(r.created_at) }));
  }

  /** How many alerts fired in the last `days` days (the admin dashboard's count). */
  async recentAlertCount(days = 7, now = this.deps.clock.now()): Promise<number> {
    const [row] = await queryRows<{ n: number }>(this.deps.db, sql`select count(*)::int as n from bi_alerts where created_at >= ${new Date(now.getTime() - days * 86_400_000)}`);
    return num(row?.n);
  }

  /** Each subject's rate in a window of days: numerator, base. */
  private async rates(kind: BiAlertKind, from: string, to: string): Promise<Map<string, { n: number; base: number }>> {
    let rows: { k: string; n: number | string; base: number | string }[];
    if (kind === 'channel_conversion') {
      // of the window's registrations of each channel, those who applied within the window
      rows = await queryRows(
        this.deps.db,
        sql`select ca.channel_id as k, count(*) filter (where exists (select 1 from applications a where a.consumer_id = acc.id and a.created_at < ${shanghaiDayEnd(to)})) as n, count(*) as base
          from accounts acc join channel_attributions ca on ca.account_id = acc.id
          where acc.kind = 'consumer' and acc.created_at >= ${shanghaiDayStart(from)} and acc.created_at < ${shanghaiDayEnd(to)} group by 1`,
      );
    } else {
      const columns: Record<Exclude<BiAlertKind, 'channel_conversion'>, [string, string, string]> = {
        channel_fraud: ['channel_id', 'flagged_registrations', 'registrations'],
        institution_approval: ['institution_id', 'approvals', 'approvals + rejections'],
        region_overdue: ['region', 'overdue_loans', 'active_loans'],
      };
      const [k, n, base] = columns[kind];
      rows = await queryRows(
        this.deps.db,
        sql`select ${sql.raw(k)} as k, sum(${sql.raw(n)})::bigint as n, sum(${sql.raw(base)})::bigint as base from bi_daily_facts
          where day between ${from}::date and ${to}::date and ${sql.raw(k)} <> '' ${sql.raw(kind === 'channel_fraud' ? `and channel_id <> 'organic'` : '')} group by 1`,
      );
    }
    return new Map(rows.map((r) => [r.k, { n: num(r.n), base: num(r.base) }]));
  }

  /**
   * The `bi-alerts` job for `day` (the last whole day): each active subscription compares the 7
   * days up to `day` with the 7 before, per subject (or its one subject), and fires when the rate
   * moved beyond its threshold (channels: either way; institutions: a drop in approval rate;
   * regions: a rise in overdue rate) with at least `minBase` in both periods. An alert is recorded
   * once per subscription, day and subject (unique index), then shown in the admin, notified in
   * the app and, with a phone number, sent by SMS through the outbox. Running it again fires nothing new.
   */
  async evaluateAlerts(day: string, now = this.deps.clock.now()): Promise<{ evaluated: number; fired: number }> {
    const subs = await queryRows<{ id: string; account_id: string; kind: BiAlertKind; subject: string | null; threshold_points: string; min_base: number; phone_enc: string | null }>(
      this.deps.db,
      sql`select id, account_id, kind, subject, threshold_points, min_base, phone_enc from bi_alert_subscriptions where active order by created_at, id`,
    );
    const cur = { from: shiftDay(day, -6), to: day };
    const prev = { from: shiftDay(day, -13), to: shiftDay(day, -7) };
    const cache = new Map<string, Map<string, { n: number; base: number }>>();
    const ratesOf = async (kind: BiAlertKind, w: { from: string; to: string }) => {
      const key = `${kind}:${w.from}`;
      if (!cache.has(key)) cache.set(key, await this.rates(kind, w.from, w.to));
      return cache.get(key)!;
    };
    const label = await this.labels();
    const subjectDim: Record<BiAlertKind, DimensionKey> = { channel_conversion: 'channel', channel_fraud: 'channel', institution_approval: 'institution', region_overdue: 'region' };
    let fired = 0;
    for (const sub of subs) {
      const [now_, before] = await Promise.all([ratesOf(sub.kind, cur), ratesOf(sub.kind, prev)]);
      const threshold = Number(sub.threshold_points) / 100;
      const subjects = sub.subject ? [sub.subject] : [...now_.keys()].sort();
      for (const subject of subjects) {
        const c = now_.get(subject);
        const p = before.get(subject);
        if (!c || !p || c.base < sub.min_base || p.base < sub.min_base) continue;
        const rc = c.n / c.base;
        const rp = p.n / p.base;
        const change = rc - rp;
        const beyond = sub.kind === 'institution_approval' ? -change > threshold : sub.kind === 'region_overdue' ? change > threshold : Math.abs(change) > threshold;
        if (!beyond) continue;
        const subjectLabel = label(subjectDim[sub.kind], subject);
        const message = `${alertKindLabels[sub.kind]}：${subjectLabel} 近 7 天 ${rateText(rc)}，前 7 天 ${rateText(rp)}（变动 ${(change * 100).toFixed(2)} 个百分点，阈值 ${Number(sub.threshold_points).toFixed(2)}）`;
        const id = newId('bal');
        const inserted = await queryRows<{ id: string }>(
          this.deps.db,
          sql`insert into bi_alerts (id, subscription_id, day, kind, subject, subject_label, previous_rate, current_rate, message, created_at)
            values (${id}, ${sub.id}, ${day}::date, ${sub.kind}, ${subject}, ${subjectLabel}, ${rp.toFixed(6)}, ${rc.toFixed(6)}, ${message}, ${now})
            on conflict (subscription_id, day, subject) do nothing returning id`,
        );
        if (!inserted.length) continue;
        fired += 1;
        await this.deps.notifications.notify(sub.account_id, { kind: 'bi.alert', title: 'BI 经营预警', body: message.slice(0, 200), link: '/admin/bi/alerts' });
        if (sub.phone_enc) {
          const outboxId = await this.deps.notifications.sendSms(this.deps.pii.decrypt(sub.phone_enc), 'bi.alert', `【贷超】${message}`, { now });
          await this.deps.db.execute(sql`update bi_alerts set outbox_id = ${outboxId} where id = ${id}`);
        }
      }
    }
    return { evaluated: subs.length, fired };
  }
}
