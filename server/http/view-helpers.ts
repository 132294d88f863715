import { randomUUID } from 'node:crypto';
import { formatDuration } from '../lib/duration';
import { formatRate, formatWan, formatYuan } from '../lib/money';
import { statusLabels, type ApplicationStatus } from '../modules/applications';
import { creditSelfAssessment } from '../modules/catalogue';

const shanghai = new Intl.DateTimeFormat('en-US', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});
/** Beijing time as 2026-12-05 06:45 / 2026-12-05: the same shape as the due dates shown beside it */
function shanghaiText(d: Date, withTime: boolean): string {
  const p = Object.fromEntries(shanghai.formatToParts(d).map((x) => [x.type, x.value]));
  return withTime ? `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}` : `${p.year}-${p.month}-${p.day}`;
}

const asDate = (v: unknown) => (v instanceof Date ? v : typeof v === 'string' || typeof v === 'number' ? new Date(v) : null);

/** Handlebars helpers shared by every surface: money in ¥ and 万, rates with two decimals, Shanghai time. */
export const viewHelpers = {
  yuan: (fen: unknown) => (typeof fen === 'number' ? formatYuan(fen) : '—'),
  wan: (fen: unknown) => (typeof fen === 'number' ? formatWan(fen) : '—'),
  /** fen → plain yuan number for form values */
  yuanValue: (fen: unknown) => (typeof fen === 'number' ? (fen / 100).toFixed(2) : ''),
  rate: (r: unknown) => (r === null || r === undefined || r === '' ? '—' : formatRate(r as string)),
  datetime: (v: unknown) => {
    const d = asDate(v);
    return d && !Number.isNaN(d.getTime()) ? shanghaiText(d, true) : '—';
  },
  date: (v: unknown) => {
    const d = asDate(v);
    return d && !Number.isNaN(d.getTime()) ? shanghaiText(d, false) : '—';
  },
  /** 240 → 4 小时 (a product's time to decision) */
  minutes: (m: unknown) => formatDuration(Number(m)),
  /** 48 → 2 天 (a product's time to disbursement) */
  hours: (h: unknown) => formatDuration(Number(h) * 60),
  eq: (a: unknown, b: unknown) => a === b,
  gt: (a: unknown, b: unknown) => Number(a) > Number(b),
  mul: (a: unknown, b: unknown) => Math.round(Number(a) * Number(b)),
  /** the first truthy argument (Handlebars passes its options object last) */
  or: (...args: unknown[]) => args.slice(0, -1).find(Boolean),
  includes: (list: unknown, item: unknown) => Array.isArray(list) && list.includes(item),
  join: (list: unknown, sep: unknown) => (Array.isArray(list) ? list.join(typeof sep === 'string' ? sep : '、') : ''),
  selected: (a: unknown, b: unknown) => (String(a) === String(b) ? 'selected' : ''),
  inc: (n: unknown) => Number(n) + 1,
  json: (v: unknown) => JSON.stringify(v ?? null),
  creditLabel: (v: unknown) => creditSelfAssessment[String(v) as keyof typeof creditSelfAssessment]?.label ?? String(v ?? ''),
  concat: (...args: unknown[]) => args.slice(0, -1).map(String).join(''),
  and: (...args: unknown[]) => args.slice(0, -1).every(Boolean),
  not: (v: unknown) => !v,
  dec: (n: unknown, by: unknown) => Number(n) - Number(by),
  urlencode: (v: unknown) => encodeURIComponent(String(v ?? '')),
  /** a fresh Idempotency key for each form rendered */
  idempotencyKey: () => randomUUID(),
  /** 4 → ★★★★☆ */
  stars: (n: unknown) => {
    const k = Math.max(0, Math.min(5, Math.round(Number(n) || 0)));
    return '★'.repeat(k) + '☆'.repeat(5 - k);
  },
  /** an application's status code → 已提交 … (named apart from the `statusLabel` fields pages pass) */
  applicationStatusLabel: (s: unknown) => (typeof s === 'string' ? (statusLabels[s as ApplicationStatus] ?? s) : '—'),
  actorLabel: (a: unknown) => ({ consumer: '用户', institution: '机构', operator: '运营', system: '系统' })[String(a)] ?? String(a),
};
