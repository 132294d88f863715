/**
 * Money is integer fen. Rates are decimal strings from NUMERIC columns or fractions
 * (0.12 = 12%). Nothing here produces money from a float except rounding a computed
 * share to the fen, half away from zero, done once at the edge with exact arithmetic.
 */
export type Fen = number;

export function assertFen(value: number, what = 'amount'): Fen {
  if (!Number.isSafeInteger(value)) throw new RangeError(`${what} must be an integer number of fen`);
  return value;
}

/** Which amounts a field takes: more than zero (the default), zero or more, or any sign. */
export type YuanSign = 'positive' | 'non_negative' | 'any';

export type YuanParse = { ok: true; fen: Fen } | { ok: false; reason: string };

/** 12 integer digits: up to 999,999,999,999.99 yuan, well inside a safe integer of fen. */
const MAX_YUAN_DIGITS = 12;
/** optional minus, optional ¥, digits with or without thousands commas, optional decimals, optional 元 */
const YUAN_TEXT = /^(-)?\s*¥?\s*(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d*))?\s*元?$/;

/**
 * The one parser of an amount a person types, in yuan, to integer fen, exactly (no float).
 *
 * Accepted, after trimming: "1234", "1234.5", "1234.50", "1,234.50" (commas only as thousands
 * groups), "¥1234" or "￥1234", "1234元", and the same typed with full-width characters
 * ("１２３４．５０", as a Chinese input method in full-width mode produces; normalised with NFKC).
 * A minus sign only where `sign` is 'any'. A JSON number is read through its decimal text.
 * Refused, each with a reason that starts with `label`: more than two decimals (the fen is the
 * smallest unit, nothing is rounded), anything else (letters, "5万", "1.2.3", "12,34"), more than
 * 12 integer digits, a negative or zero amount where the field does not take one.
 */
export function parseYuan(input: string | number, options: { label?: string; sign?: YuanSign } = {}): YuanParse {
  const label = options.label ?? '金额';
  const sign = options.sign ?? 'positive';
  const text = String(input).normalize('NFKC').trim();
  if (text === '') return { ok: false, reason: `请填写${label}` };
  const m = YUAN_TEXT.exec(text);
  if (!m) return { ok: false, reason: `${label}须为元，如 1234.50、1,234.5 或 ¥1234` };
  const [, minus, grouped, decimals = ''] = m;
  if (decimals.length > 2) return { ok: false, reason: `${label}须为元，最多两位小数` };
  const digits = grouped!.replace(/,/g, '').replace(/^0+(?=\d)/, '');
  if (digits.length > MAX_YUAN_DIGITS) return { ok: false, reason: `${label}过大，最多 ${MAX_YUAN_DIGITS} 位整数` };
  const magnitude = Number(digits) * 100 + Number(decimals.padEnd(2, '0'));
  if (minus && magnitude > 0 && sign !== 'any') return { ok: false, reason: `${label}不能为负数` };
  if (magnitude === 0 && sign === 'positive') return { ok: false, reason: `${label}须大于 0` };
  return { ok: true, fen: assertFen(minus && magnitude > 0 ? -magnitude : magnitude) };
}

/**
 * Yuan written by a program (a file, a seed) → fen, any sign: the grammar of `parseYuan`;
 * throws a RangeError instead of returning a reason.
 */
export function yuanToFen(yuan: string | number): Fen {
  const parsed = parseYuan(yuan, { sign: 'any' });
  if (!parsed.ok) throw new RangeError(`not a yuan amount with at most two decimals: ${yuan} (${parsed.reason})`);
  return parsed.fen;
}

export function fenToYuan(fen: Fen): number {
  return Math.round(fen) / 100;
}

/** Decimal rate string ("0.015000") → [numerator, denominator] scaled integers. */
function rateParts(rate: string): [bigint, bigint] {
  const m = /^(\d+)(?:\.(\d+))?$/.exec(rate.trim());
  if (!m) throw new RangeError(`not a decimal rate: ${rate}`);
  const decimals = m[2] ?? '';
  return [BigInt(m[1]! + decimals), 10n ** BigInt(decimals.length)];
}

/** fen × rate, rounded half up to the fen, computed exactly with bigint. */
export function applyRate(fen: Fen, rate: string): Fen {
  const [num, den] = rateParts(rate);
  const product = BigInt(fen) * num;
  const rounded = (2n * product + den) / (2n * den);
  return assertFen(Number(rounded));
}

const yuanFormat = new Intl.NumberFormat('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** 123456 fen → "¥1,234.56" */
export function formatYuan(fen: Fen): string {
  return `¥${yuanFormat.format(fen / 100)}`;
}

/** 5000000 fen → "5万" ; 150000000 → "150万"; 80000 → "800元" */
export function formatWan(fen: Fen): string {
  const yuan = fen / 100;
  if (yuan >= 10000) {
    const wan = yuan / 10000;
    return `${Number.isInteger(wan) ? wan : wan.toFixed(2).replace(/\.?0+$/, '')}万`;
  }
  return `${yuan.toLocaleString('zh-CN')}元`;
}

/** "0.123400" → "12.34%" */
export function formatRate(rate: string | number): string {
  return `${(Number(rate) * 100).toFixed(2)}%`;
}
