import { sha256Hex } from '../../lib/digest';
import { splitCsvLine } from '../../lib/csv-line';
import { parseYuan, type Fen } from '../../lib/money';
import { shanghaiMidnight } from './commission';

/**
 * An institution's disbursement report: `application_id,disbursed_at,amount_yuan`, a header row
 * required, UTF-8 with or without BOM. Every bad row is reported with its line number; a file
 * with any error imports nothing.
 */
export const RECONCILIATION_HEADER = ['application_id', 'disbursed_at', 'amount_yuan'] as const;
export const MAX_RECONCILIATION_ROWS = 50_000;

export interface ReportRow {
  line: number;
  applicationId: string;
  disbursedAt: Date;
  amountFen: Fen;
}

export type RowProblem = { line: number; message: string };

const APPLICATION_ID = /^[A-Za-z0-9_-]{1,64}$/;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const LOCAL_DATETIME = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$/;
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

/** "2026-03-05", "2026-03-05 14:30[:00]" (Asia/Shanghai) or ISO 8601 with a zone. */
export function parseDisbursedAt(text: string): Date | null {
  if (DATE_ONLY.test(text)) return shanghaiMidnight(text) ?? null;
  const local = LOCAL_DATETIME.exec(text);
  if (local) {
    const day = shanghaiMidnight(local[1]!);
    const [h, m, s] = [Number(local[2]), Number(local[3]), Number(local[4] ?? 0)];
    if (!day || h > 23 || m > 59 || s > 59) return null;
    return new Date(day.getTime() + ((h * 60 + m) * 60 + s) * 1000);
  }
  if (ISO_WITH_ZONE.test(text)) {
    const d = new Date(text);
    return Number.isNaN(d.getTime()) ? null : d;
  }
  return null;
}

/** Validates rows given by line number (CSV or API); duplicates of an application are refused. */
export function validateRows(rows: { line: number; applicationId: string; disbursedAt: string; amountYuan: string }[], now: Date): { rows: ReportRow[]; problems: RowProblem[] } {
  const problems: RowProblem[] = [];
  const out: ReportRow[] = [];
  const seen = new Map<string, number>();
  if (rows.length > MAX_RECONCILIATION_ROWS) problems.push({ line: 0, message: `最多 ${MAX_RECONCILIATION_ROWS} 行` });
  for (const r of rows) {
    const applicationId = r.applicationId.trim();
    const reasons: string[] = [];
    if (!APPLICATION_ID.test(applicationId)) reasons.push('application_id 须为 1–64 位字母、数字、下划线或连字符');
    else if (seen.has(applicationId)) reasons.push(`application_id 与第 ${seen.get(applicationId)} 行重复`);
    const disbursedAt = parseDisbursedAt(r.disbursedAt.trim());
    if (!disbursedAt) reasons.push('disbursed_at 须为 YYYY-MM-DD、YYYY-MM-DD HH:mm:ss（北京时间）或带时区的 ISO 8601 时间');
    else if (disbursedAt.getTime() > now.getTime() + 86_400_000) reasons.push('disbursed_at 不能晚于今天');
    const amount = parseYuan(r.amountYuan.trim().replace(/,/g, ''), { sign: 'non_negative' });
    const amountFen = amount.ok ? amount.fen : 0;
    if (!amount.ok) reasons.push('amount_yuan 须为正数金额（元），最多两位小数');
    else if (amountFen <= 0) reasons.push('amount_yuan 须大于 0');
    if (reasons.length) problems.push({ line: r.line, message: reasons.join('；') });
    else out.push({ line: r.line, applicationId, disbursedAt: disbursedAt!, amountFen });
    if (APPLICATION_ID.test(applicationId) && !seen.has(applicationId)) seen.set(applicationId, r.line);
  }
  return { rows: out, problems };
}

/** Parses the uploaded bytes. Problems carry the file's line numbers (the header is line 1). */
export function parseReportCsv(bytes: Buffer, now: Date): { rows: ReportRow[]; problems: RowProblem[] } {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return { rows: [], problems: [{ line: 0, message: '文件须为 UTF-8 编码' }] };
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lines = text.split(/\r?\n/);
  while (lines.length && lines[lines.length - 1]!.trim() === '') lines.pop();
  if (lines.length === 0) return { rows: [], problems: [{ line: 1, message: '文件为空，第 1 行须为表头 application_id,disbursed_at,amount_yuan' }] };
  const header = splitCsvLine(lines[0]!)?.map((h) => h.trim().toLowerCase());
  if (!header || header.join(',') !== RECONCILIATION_HEADER.join(',')) {
    return { rows: [], problems: [{ line: 1, message: '第 1 行须为表头 application_id,disbursed_at,amount_yuan' }] };
  }
  const raw: { line: number; applicationId: string; disbursedAt: string; amountYuan: string }[] = [];
  const problems: RowProblem[] = [];
  lines.slice(1).forEach((content, i) => {
    const line = i + 2;
    if (content.trim() === '') {
      problems.push({ line, message: '空行' });
      return;
    }
    const fields = splitCsvLine(content);
    if (!fields || fields.length !== 3) {
      problems.push({ line, message: '须为 3 列：application_id,disbursed_at,amount_yuan' });
      return;
    }
    raw.push({ line, applicationId: fields[0]!, disbursedAt: fields[1]!, amountYuan: fields[2]! });
  });
  if (raw.length === 0 && problems.length === 0) problems.push({ line: 2, message: '文件没有数据行' });
  const checked = validateRows(raw, now);
  return { rows: checked.rows, problems: [...problems, ...checked.problems].sort((a, b) => a.line - b.line) };
}

export function fileHash(bytes: Buffer | string): string {
  return sha256Hex(bytes);
}

export interface OurDisbursement {
  applicationId: string;
  amountFen: Fen;
  disbursedAt: Date;
}

export type Difference = { applicationId: string; kind: 'missing_ours' | 'missing_theirs' | 'amount'; ourAmountFen: Fen | null; theirAmountFen: Fen | null };

/** Their rows against ours: matched, missing on our side, missing on theirs, amounts that differ. */
export function matchReport(theirs: ReportRow[], ours: OurDisbursement[]): { matched: number; differences: Difference[] } {
  const ourById = new Map(ours.map((o) => [o.applicationId, o]));
  const theirIds = new Set(theirs.map((t) => t.applicationId));
  let matched = 0;
  const differences: Difference[] = [];
  for (const t of theirs) {
    const o = ourById.get(t.applicationId);
    if (!o) differences.push({ applicationId: t.applicationId, kind: 'missing_ours', ourAmountFen: null, theirAmountFen: t.amountFen });
    else if (o.amountFen !== t.amountFen) differences.push({ applicationId: t.applicationId, kind: 'amount', ourAmountFen: o.amountFen, theirAmountFen: t.amountFen });
    else matched += 1;
  }
  for (const o of ours) {
    if (!theirIds.has(o.applicationId)) differences.push({ applicationId: o.applicationId, kind: 'missing_theirs', ourAmountFen: o.amountFen, theirAmountFen: null });
  }
  return { matched, differences };
}
