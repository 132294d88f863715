/**
 * 统一社会信用代码 (GB 32100-2015): 18 characters from a 31-character alphabet (no I, O, S, V, Z);
 * the last is a check character computed from the first 17 with fixed weights, modulo 31.
 */
const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

export function unifiedCodeCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const value = ALPHABET.indexOf(first17[i]!);
    if (value < 0) throw new Error(`not a unified code character: ${first17[i]}`);
    sum += value * WEIGHTS[i]!;
  }
  return ALPHABET[(31 - (sum % 31)) % 31]!;
}

/** Why a unified social credit code is not valid, or undefined when it is. */
export function unifiedCodeProblem(raw: string): string | undefined {
  const code = raw.trim().toUpperCase();
  if (code.length !== 18) return '统一社会信用代码应为 18 位';
  if (![...code].every((c) => ALPHABET.includes(c))) return '统一社会信用代码含有无效字符（不使用 I、O、S、V、Z）';
  if (!/^\d{6}$/.test(code.slice(2, 8))) return '统一社会信用代码第 3–8 位应为行政区划码';
  if (unifiedCodeCheckChar(code.slice(0, 17)) !== code[17]) return '统一社会信用代码校验位不正确';
  return undefined;
}

export const normaliseUnifiedCode = (raw: string) => raw.trim().toUpperCase();
