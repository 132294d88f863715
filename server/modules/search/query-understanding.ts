import { formatWan } from '../../lib/money';
import { defaultDictionary, intentLabels, type SearchDictionary, type SearchIntent } from './dictionary';
import type { SearchSort } from './search.port';
import { isGenericText, normalizeText, wordStarts } from './tokenizer';

/*
 * Query understanding: what a borrower typed → what the index is asked. Runs before either
 * search adapter, so both get the same rewritten text and filters.
 *
 * - dictionary words become what products say (买车 → 车贷) or an intent (急用钱 → fastest first);
 * - amounts and terms written in the query become filters (借5万 3年 → 50,000 元, 36 期);
 * - negations are kept whole (免抵押 is one phrase), and a plain 抵押 leaves out products that
 *   say 免抵押 (`-免抵押` in the text: the tokenizer's exclusion syntax);
 * - the rest is passed to the index as typed.
 */

export interface UnderstoodFilters {
  /** the amount asked for, fen */
  amountFen?: number;
  termMonths?: number;
  /** only products an employee may apply for */
  employment?: '上班族';
}

export interface QueryUnderstanding {
  /** what the index is asked (may be empty: only filters and an order were asked) */
  text: string;
  filters: UnderstoodFilters;
  sort?: Extract<SearchSort, 'apr' | 'speed'>;
  intents: SearchIntent[];
  /** what was read, in words: 买车 → 车贷, 5万 → 金额 5 万 */
  understood: { from: string; to: string }[];
}

const DIGITS: Record<string, number> = { 零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };
const UNITS: Record<string, number> = { 十: 10, 百: 100, 千: 1000 };
const CN_NUM = '[零〇一二两三四五六七八九十百千]+';

/** 五 → 5, 十五 → 15, 二十 → 20, 三百 → 300; undefined when it is not a number */
export function chineseNumber(text: string): number | undefined {
  let total = 0;
  let digit: number | undefined;
  for (const ch of text) {
    if (ch in DIGITS) {
      digit = DIGITS[ch]!;
    } else if (ch in UNITS) {
      total += (digit ?? 1) * UNITS[ch]!;
      digit = undefined;
    } else return undefined;
  }
  return total + (digit ?? 0);
}

function numberOf(text: string): number | undefined {
  if (/^\d+(?:\.\d+)?$/.test(text)) return Number(text);
  return chineseNumber(text);
}



/** what is left around an amount or term that was read (借十万分24期 → 借, 分) */
const FILLER = new Set(['分', '分成', '额度', '金额', '期限', '左右', '以内', '以上', '大概', '共', '还', '用']);

const NUM = `(\\d+(?:\\.\\d+)?|${CN_NUM})`;
/** terms first (3年 in 5万3年 is a term), then amounts; each match is cut out of the text */
const TERM_PATTERNS: { re: RegExp; months: (n: number) => number }[] = [
  { re: /半年/gu, months: () => 6 },
  { re: new RegExp(`${NUM}\\s*(?:个月|期)`, 'gu'), months: (n) => n },
  { re: new RegExp(`${NUM}\\s*年(?:期)?`, 'gu'), months: (n) => n * 12 },
];
const AMOUNT_PATTERNS: { re: RegExp; yuan: (n: number) => number }[] = [
  { re: new RegExp(`${NUM}\\s*(?:万|w)\\s*(?:元|块钱|块)?`, 'gu'), yuan: (n) => n * 10_000 },
  { re: new RegExp(`${NUM}\\s*(?:千|k)\\s*(?:元|块钱|块)?`, 'gu'), yuan: (n) => n * 1000 },
  { re: /(\d{3,7})\s*(?:元|块钱|块)?/gu, yuan: (n) => n },
];

/**
 * Reads a query. `dictionary` defaults to the built-in one.
 * `understanding(q).text === normalised q` and nothing understood when no rule applies.
 */
export function understandQuery(q: string, dictionary: SearchDictionary = defaultDictionary): QueryUnderstanding {
  const original = normalizeText(q).replace(/\s+/g, ' ').trim();
  let rest = original;
  const understood: QueryUnderstanding['understood'] = [];
  const filters: UnderstoodFilters = {};
  const intents: SearchIntent[] = [];
  const words: string[] = [];
  const exclusions: string[] = [];

  // dictionary words, longest first so 公积金贷款 wins over 贷款 and 房子抵押 over 抵押
  const spellings = dictionary.entries
    .flatMap((entry) => entry.words.map((word) => ({ word: normalizeText(word), entry })))
    .sort((a, b) => b.word.length - a.word.length);
  const negated = new Map<string, string>(); // negated word → the phrase that negates it
  // a dictionary word counts where a word starts (急借 is not read inside 速融应急借: 速融/应急/借);
  // what was read is blanked out with as many spaces, so the offsets stay true
  const starts = wordStarts(original);
  const blank = (text: string, from: number, length: number) => text.slice(0, from) + ' '.repeat(length) + text.slice(from + length);
  for (const { word, entry } of spellings) {
    // a word inside what it stands for, typed as that (an entry 房抵 → 房抵贷 leaves 房抵贷 alone)
    if (entry.kind === 'synonym' && entry.to.includes(word) && original.includes(entry.to)) continue;
    let found = false;
    for (let i = rest.indexOf(word); i >= 0; i = rest.indexOf(word, i + 1)) {
      if (!starts.has(i)) continue;
      rest = blank(rest, i, word.length);
      found = true;
    }
    if (!found) continue;
    if (entry.kind === 'intent') {
      if (!intents.includes(entry.intent)) {
        intents.push(entry.intent);
        understood.push({ from: word, to: intentLabels[entry.intent] });
      }
      continue;
    }
    // a negated phrase is searched whole (quoted), so 免抵押 never matches a product that only says 抵押
    const text = entry.kind === 'negation' ? `"${entry.to}"` : entry.to;
    if (!words.includes(text)) words.push(text);
    if (word !== entry.to) understood.push({ from: word, to: entry.to });
    if (entry.kind === 'negation') negated.set(entry.negates, entry.to);
  }

  for (const { re, months } of TERM_PATTERNS) {
    rest = rest.replace(re, (match: string, n?: string) => {
      const value = n === undefined ? months(0) : numberOf(n);
      if (value === undefined || filters.termMonths !== undefined) return match;
      const m = n === undefined ? value : months(value);
      if (!Number.isInteger(m) || m < 1 || m > 360) return match;
      filters.termMonths = m;
      understood.push({ from: match.trim(), to: `期限 ${m} 期` });
      return ' '.repeat(match.length);
    });
  }
  for (const { re, yuan } of AMOUNT_PATTERNS) {
    rest = rest.replace(re, (match: string, n: string) => {
      const value = numberOf(n);
      if (value === undefined || filters.amountFen !== undefined) return match;
      const y = yuan(value);
      if (y < 100 || y > 100_000_000) return match;
      filters.amountFen = Math.round(y * 100);
      understood.push({ from: match.trim(), to: `金额 ${formatWan(filters.amountFen)}` });
      return ' '.repeat(match.length);
    });
  }

  if (intents.includes('employee')) filters.employment = '上班族';
  const sort = intents.includes('fast') ? 'speed' : intents.includes('low-apr') ? 'apr' : undefined;

  // what is left goes to the index as typed; filler (借, 贷款, 我想) only when nothing else was read
  const anything = understood.length > 0 || words.length > 0;
  for (const piece of rest.split(/\s+/).filter(Boolean)) {
    if (anything && (FILLER.has(piece) || isGenericText(piece))) continue;
    if (!words.includes(piece)) words.push(piece);
  }

  // a plain 抵押 (not part of 免抵押) leaves out the products that say 免抵押
  for (const entry of dictionary.entries) {
    if (entry.kind !== 'negation' || negated.has(entry.negates)) continue;
    if (words.some((w) => !w.startsWith('"') && w.includes(entry.negates))) {
      exclusions.push(`-${entry.to}`);
      understood.push({ from: entry.negates, to: `不含“${entry.to}”` });
    }
  }

  // in the order they were typed (unknown positions, like a plain 抵押's exclusion, last)
  const at = (from: string) => {
    const i = original.indexOf(from.replace(/^"|"$/g, ''));
    return i < 0 ? original.length : i;
  };
  const fromOf = new Map(understood.map((u) => [u.to, u.from]));
  words.sort((a, b) => at(fromOf.get(a) ?? a) - at(fromOf.get(b) ?? b));
  understood.sort((a, b) => at(a.from) - at(b.from));
  return { text: [...words, ...exclusions].join(' '), filters, ...(sort ? { sort } : {}), intents, understood };
}
