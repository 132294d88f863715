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

/** "12.34" or 12.34 yuan → 1234 fen, exactly; refuses more than two decimals. */
export function yuanToFen(yuan: string | number): Fen {
  const text = typeof yuan === 'number' ? yuan.toString() : yuan.trim();
  const m = /^(-)?(\d+)(?:\.(\d{1,2}))?$/.exec(text);
  if (!m) throw new RangeError(`not a yuan amount with at most two decimals: ${text}`);
  const fen = Number(m[2]) * 100 + Number((m[3] ?? '').padEnd(2, '0'));
  return assertFen(m[1] ? -fen : fen);
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
