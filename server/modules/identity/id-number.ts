import { shanghaiDate } from '../../lib/shanghai-date';
/**
 * Resident identity card numbers (居民身份证号码, GB 11643-1999): 6-digit region, 8-digit
 * birth date, 3-digit sequence (odd = male), and an ISO 7064 MOD 11-2 check character.
 */
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';

export interface IdNumberFacts {
  birthDate: string; // YYYY-MM-DD
  sex: 'male' | 'female';
  regionCode: string;
}

export function idCheckCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i]!;
  return CHECK[sum % 11]!;
}

/** Returns a reason in Chinese when the number is not a valid 18-character ID, or null. */
export function idNumberProblem(raw: string, today = new Date()): string | null {
  const id = raw.trim().toUpperCase();
  if (!/^\d{17}[\dX]$/.test(id)) return '身份证号应为 18 位（最后一位可为 X）';
  if (!/^[1-8]\d/.test(id)) return '身份证号地区码无效';
  const y = Number(id.slice(6, 10));
  const m = Number(id.slice(10, 12));
  const d = Number(id.slice(12, 14));
  const birth = new Date(Date.UTC(y, m - 1, d));
  if (birth.getUTCFullYear() !== y || birth.getUTCMonth() !== m - 1 || birth.getUTCDate() !== d || y < 1900 || birth > today) {
    return '身份证号中的出生日期无效';
  }
  if (idCheckCharacter(id.slice(0, 17)) !== id[17]) return '身份证号校验位不正确，请检查是否输错';
  return null;
}

export function idNumberFacts(raw: string): IdNumberFacts {
  const id = raw.trim().toUpperCase();
  return {
    birthDate: `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`,
    sex: Number(id[16]) % 2 === 1 ? 'male' : 'female',
    regionCode: id.slice(0, 6),
  };
}

/** Age in whole years on `today` (Asia/Shanghai calendar day). */
export function ageFromIdNumber(raw: string, today = new Date()): number {
  const { birthDate } = idNumberFacts(raw);
  const [by, bm, bd] = birthDate.split('-').map(Number) as [number, number, number];
  // shanghaiDate, not an Intl.DateTimeFormat made per call: this runs on every signed-in identity read
  const [ty, tm, td] = shanghaiDate(today).split('-').map(Number) as [number, number, number];
  return ty - by - (tm < bm || (tm === bm && td < bd) ? 1 : 0);
}
