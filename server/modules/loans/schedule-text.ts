import { splitCsvLine } from '../../lib/csv-line';
import { isIsoDate } from '../../lib/shanghai-date';
import { parseYuan } from '../../lib/money';
import type { ScheduleLine } from './allocation';

/**
 * An institution's own repayment schedule as text, the way people have it: one instalment per
 * line, `到期日,本金,利息[,费用]` in yuan, comma-separated or pasted from a spreadsheet (tabs,
 * thousands separators, 2026/4/1 dates). A header line may come first; blank lines are skipped.
 */
export const SCHEDULE_TEXT_FORMAT = '到期日,本金,利息,费用';
export const MAX_SCHEDULE_TEXT_LINES = 360;

export interface ScheduleTextProblem {
  /** the line of the text, from 1 */
  line: number;
  message: string;
}

/** A parsed instalment and the text line it came from (for messages about it). */
export type ScheduleTextLine = Omit<ScheduleLine, 'period'> & { line: number };

/** A cell in yuan, zero allowed (interest and fees may be nothing): the one parser, `parseYuan`. */
function fenOf(raw: string): number | null {
  const parsed = parseYuan(raw.replace(/\s/g, ''), { sign: 'non_negative' });
  return parsed.ok ? parsed.fen : null;
}

function dateOf(raw: string): string | null {
  const m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/.exec(raw.trim());
  if (!m) return null;
  const date = `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}`;
  return isIsoDate(date) ? date : null;
}

export function parseScheduleText(text: string): { lines: ScheduleTextLine[]; problems: ScheduleTextProblem[] } {
  const lines: ScheduleTextLine[] = [];
  const problems: ScheduleTextProblem[] = [];
  let sawContent = false;
  text.split(/\r?\n/).forEach((content, i) => {
    const line = i + 1;
    if (content.trim() === '') return;
    const tabbed = content.includes('\t');
    const fields = splitCsvLine(tabbed ? content : content.replace(/，/g, ','), tabbed ? '\t' : ',')?.map((f) => f.trim());
    const first = !sawContent;
    sawContent = true;
    if (first && fields && !/^\d/.test(fields[0] ?? '')) return; // a header line
    if (!fields || fields.length < 3 || fields.length > 4) {
      problems.push({ line, message: `须为 3 或 4 列：${SCHEDULE_TEXT_FORMAT}（费用可省略）` });
      return;
    }
    const [dueRaw, principalRaw, interestRaw, feeRaw] = fields as [string, string, string, string | undefined];
    const dueDate = dateOf(dueRaw);
    const principalFen = fenOf(principalRaw);
    const interestFen = fenOf(interestRaw);
    const feeFen = feeRaw === undefined || feeRaw === '' ? 0 : fenOf(feeRaw);
    const reasons: string[] = [];
    if (dueDate === null) reasons.push(`到期日「${dueRaw}」不是有效日期（如 2026-04-01）`);
    if (principalFen === null) reasons.push(`本金「${principalRaw}」须为不小于 0 的金额，最多两位小数`);
    if (interestFen === null) reasons.push(`利息「${interestRaw}」须为不小于 0 的金额，最多两位小数`);
    if (feeFen === null) reasons.push(`费用「${feeRaw}」须为不小于 0 的金额，最多两位小数`);
    if (reasons.length) problems.push({ line, message: reasons.join('；') });
    else lines.push({ line, dueDate: dueDate!, principalFen: principalFen!, interestFen: interestFen!, feeFen: feeFen! });
  });
  if (lines.length + problems.length === 0) problems.push({ line: 1, message: `请每行填写一期：${SCHEDULE_TEXT_FORMAT}` });
  if (lines.length > MAX_SCHEDULE_TEXT_LINES) problems.push({ line: lines[MAX_SCHEDULE_TEXT_LINES]!.line, message: `最多 ${MAX_SCHEDULE_TEXT_LINES} 期` });
  return { lines, problems };
}

/** The schedule as text in the same format, to edit (amounts in yuan with two decimals). */
export function scheduleText(instalments: readonly Omit<ScheduleLine, 'period'>[]): string {
  const yuan = (fen: number) => `${Math.trunc(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;
  return [SCHEDULE_TEXT_FORMAT, ...instalments.map((i) => `${i.dueDate},${yuan(i.principalFen)},${yuan(i.interestFen)},${yuan(i.feeFen)}`)].join('\n');
}

/**
 * The schedule checker's reasons (`instalments.<index>.<field>`, or `instalments` for the whole)
 * told by the text line they are about.
 */
export function scheduleProblemsByLine(fields: Record<string, string>, parsed: readonly ScheduleTextLine[]): ScheduleTextProblem[] {
  const labels: Record<string, string> = { dueDate: '到期日', principalFen: '本金', interestFen: '利息', feeFen: '费用' };
  return Object.entries(fields).map(([key, reason]) => {
    const m = /^instalments\.(\d+)\.(\w+)$/.exec(key);
    const at = m ? parsed[Number(m[1])] : undefined;
    return at ? { line: at.line, message: `${labels[m![2]!] ?? m![2]}：${reason}` } : { line: 0, message: reason };
  });
}
