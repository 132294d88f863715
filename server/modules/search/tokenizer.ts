import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Jieba } from '@node-rs/jieba';

/*
 * Chinese-aware tokenisation shared by the search adapters.
 *
 * Index side (`tokenize`): every run of Han characters yields its jieba words (cut, no HMM),
 * its character bigrams and its single characters; Latin words and numbers are kept whole,
 * lower-cased and NFKC-folded (full-width ｃｒｅｄｉｔ １２ → credit 12). Bigrams make matching
 * independent of how jieba happened to segment a name (速融小贷 → 速/融/小/贷, yet 速融 and 小贷
 * both match); single characters serve one-character queries.
 *
 * Query side (`parseQuery`): a query is a list of terms the product must all contain (AND),
 * each with alternative spellings in index tokens (OR), plus optional terms that only add to
 * the score. Words that say nothing on a loan marketplace (贷款, 借钱, 我想, numbers, …) are
 * optional, so 装修贷款 finds 安家装修分期 although it never says 贷款.
 */

let jieba: Jieba | undefined;
/**
 * Loading the dictionary takes ~100 ms, so it happens on first use. The file is read here rather
 * than through the package's dict.js, which keeps dict.txt and the unused idf.txt (11 MB) in
 * memory for the life of the process; jieba copies the words, so the buffer read here is freed.
 */
function segmenter(): Jieba {
  jieba ??= Jieba.withDict(commonWords(readFileSync(createRequire(import.meta.url).resolve('@node-rs/jieba/dict.txt'))));
  return jieba;
}

/**
 * Words seen fewer times than this in jieba's corpus are left out of the dictionary. Of its 349,045
 * words, 244,000 are rarer than 10 (classical idioms, obscure names); loaded, they cost about 20 MB
 * of the process's resident memory for segmentations a loan marketplace never sees. Every word of
 * the trade (公积金 556, 放款 77, 征信 32, 工薪 31) is far above it, and a word left out still
 * matches: the index keeps every bigram and character, and the query side groups the characters
 * jieba leaves single (see parseQuery).
 */
export const MIN_WORD_FREQUENCY = 10;

/** The lines of a jieba dictionary (`word freq [tag]`) whose frequency is at least MIN_WORD_FREQUENCY, scanned as bytes: no string per line. */
export function commonWords(dict: Buffer, minFrequency = MIN_WORD_FREQUENCY): Buffer {
  const SPACE = 0x20;
  const NEWLINE = 0x0a;
  const out = Buffer.allocUnsafe(dict.length);
  let written = 0;
  for (let start = 0; start < dict.length; ) {
    let end = dict.indexOf(NEWLINE, start);
    if (end === -1) end = dict.length;
    let at = dict.indexOf(SPACE, start);
    let frequency = 0;
    if (at !== -1 && at < end) for (at++; at < end && dict[at]! >= 0x30 && dict[at]! <= 0x39; at++) frequency = frequency * 10 + dict[at]! - 0x30;
    if (frequency >= minFrequency) {
      written += dict.copy(out, written, start, end);
      out[written++] = NEWLINE;
    }
    start = end + 1;
  }
  return out.subarray(0, written);
}

/** Loads the dictionary now rather than on first use (server/serve.ts, while the child process seeds the demo data). */
export function loadSegmenter(): void {
  segmenter();
}

const TOKEN_RE = /(\p{Script=Han}+)|((?:(?!\p{Script=Han})[\p{L}\p{N}\p{M}])+)/gu;
const HAN_RE = /\p{Script=Han}/u;
const HAN_ONLY_RE = /^\p{Script=Han}+$/u;
const LETTER_RE = /\p{L}/u;
const DIGITS_RE = /^\p{N}+$/u;

export function normalizeText(text: string): string {
  return text.normalize('NFKC').toLowerCase();
}

export function isCjk(token: string): boolean {
  return HAN_RE.test(token);
}

/** Latin (or other non-Han) token that contains a letter, i.e. can carry a typo */
export function isLatinWord(token: string): boolean {
  return !HAN_RE.test(token) && LETTER_RE.test(token);
}

interface Run {
  text: string;
  cjk: boolean;
}

function runs(text: string): Run[] {
  const out: Run[] = [];
  for (const m of normalizeText(text).matchAll(TOKEN_RE)) {
    if (m[1]) out.push({ text: m[1], cjk: true });
    else if (m[2]) out.push({ text: m[2], cjk: false });
  }
  return out;
}

function bigramsOf(run: string): string[] {
  const out: string[] = [];
  const chars = Array.from(run);
  for (let i = 0; i + 1 < chars.length; i++) out.push(chars[i]! + chars[i + 1]!);
  return out;
}

/** jieba words of a pure-Han run (runs of one or two characters need no segmenting) */
function wordsOf(run: string): string[] {
  const chars = Array.from(run);
  if (chars.length <= 2) return chars.length === 2 ? [run] : chars;
  return segmenter()
    .cut(run, false)
    .filter((w) => HAN_ONLY_RE.test(w));
}

/** Offsets (UTF-16) where jieba starts a word in the text, and its end: 速融应急借 → 0, 1, 2, 4, 5 (急借 starts inside 应急). */
export function wordStarts(text: string): Set<number> {
  const out = new Set<number>([0, text.length]);
  let at = 0;
  for (const w of segmenter().cut(text, false)) {
    out.add(at);
    at += w.length;
  }
  return out;
}

/** Tokens for indexing: jieba words + bigrams + single characters of each Han run, Latin words whole. Deduplicated. */
export function tokenize(text: string): string[] {
  const out = new Set<string>();
  for (const run of runs(text)) {
    if (!run.cjk) {
      out.add(run.text);
      continue;
    }
    for (const w of wordsOf(run.text)) out.add(w);
    for (const b of bigramsOf(run.text)) out.add(b);
    for (const c of run.text) out.add(c);
  }
  return [...out];
}

/** Flat query tokens: jieba words + bigrams of each Han run (single characters only for one-character runs), Latin words whole. */
export function tokenizeQuery(q: string): string[] {
  const out = new Set<string>();
  for (const run of runs(q)) {
    if (!run.cjk) {
      out.add(run.text);
      continue;
    }
    const chars = Array.from(run.text);
    if (chars.length === 1) {
      out.add(run.text);
      continue;
    }
    for (const w of wordsOf(run.text)) if (Array.from(w).length > 1) out.add(w);
    for (const b of bigramsOf(run.text)) out.add(b);
  }
  return [...out];
}

/** Words that every product on a loan marketplace (or no product) is about: they rank, they do not filter. */
const GENERIC_WORDS = new Set([
  '贷款', '借款', '借钱', '贷', '借', '款', '钱', '网贷', '产品', '平台', '申请', '办理', '推荐', '什么', '哪个', '哪些', '哪家',
  '可以', '一下', '我要', '我想', '需要', '想要', '我', '想', '要', '的', '了', '吗', '呢', '啊',
  // amounts and terms belong in the filters; as text they are too unspecific to require
  '万', '元', '块', '千', '百', '个', '月', '天', '年', '期',
]);

export interface QueryTerm {
  /** what the user typed for this term, normalised */
  text: string;
  script: 'latin' | 'cjk';
  /** the term is present when every token of at least one alternative is in the product's text */
  alternatives: string[][];
}

export interface ParsedQuery {
  /** every one must match */
  required: QueryTerm[];
  /** add to the score only */
  optional: QueryTerm[];
  /** a product containing every token of one of these is left out (`-免抵押` in the query) */
  excluded: string[][];
}

/** True when the text holds only words that say nothing on a loan marketplace (借, 贷款, 我想). */
export function isGenericText(text: string): boolean {
  for (const run of runs(text)) {
    if (!run.cjk) return false;
    if (!wordsOf(run.text).every((w) => GENERIC_WORDS.has(w))) return false;
  }
  return true;
}

/** the index tokens that must all be present for a phrase: its bigrams (a Han phrase), itself otherwise */
function phraseTokens(phrase: string): string[] {
  const out: string[] = [];
  for (const run of runs(phrase)) {
    if (run.cjk && Array.from(run.text).length > 1) out.push(...bigramsOf(run.text));
    else out.push(run.text);
  }
  return out;
}

function single(text: string, script: 'latin' | 'cjk'): QueryTerm {
  return { text, script, alternatives: [[text]] };
}

/**
 * Structured query: required terms (AND) with alternative index spellings (OR), optional terms
 * for ranking. Both adapters build their queries from this, so they agree on what matches.
 */
export function parseQuery(q: string): ParsedQuery {
  const required: QueryTerm[] = [];
  const excluded: string[][] = [];
  // "免抵押" is a phrase (all its bigrams, in one term); -免抵押 leaves out products saying it
  const plain: string[] = [];
  const phrases: string[] = [];
  for (const word of q.split(/\s+/)) {
    const quoted = /^"([^"]+)"$/.exec(word);
    if (word.length > 1 && word.startsWith('-')) {
      const tokens = phraseTokens(word.slice(1));
      if (tokens.length > 0) excluded.push(tokens);
    } else if (quoted) {
      phrases.push(quoted[1]!);
    } else plain.push(word.replaceAll('"', ' '));
  }
  const optional: QueryTerm[] = [];
  /** everything unspecific, in case nothing specific is asked */
  const fallback: QueryTerm[] = [];
  const seen = new Set<string>();
  const addRequired = (t: QueryTerm) => {
    if (seen.has(t.text)) return;
    seen.add(t.text);
    for (const alt of t.alternatives) for (const token of alt) seen.add(token);
    required.push(t);
  };
  const addOptional = (text: string, script: 'latin' | 'cjk') => {
    if (seen.has(text)) return;
    seen.add(text);
    const term = single(text, script);
    fallback.push(term);
    // a single character (贷) is in nearly every product: it would cost more than it ranks
    if (script === 'latin' || Array.from(text).length > 1) optional.push(term);
  };

  for (const phrase of phrases) {
    const tokens = phraseTokens(phrase);
    if (tokens.length > 0) addRequired({ text: normalizeText(phrase), script: isCjk(phrase) ? 'cjk' : 'latin', alternatives: [tokens] });
  }

  for (const run of runs(plain.join(' '))) {
    if (!run.cjk) {
      if (DIGITS_RE.test(run.text)) addOptional(run.text, 'latin');
      else addRequired(single(run.text, 'latin'));
      continue;
    }
    const chars = Array.from(run.text);
    if (chars.length === 1) {
      if (GENERIC_WORDS.has(run.text)) addOptional(run.text, 'cjk');
      else addRequired(single(run.text, 'cjk'));
      continue;
    }
    // walk jieba's words, gathering consecutive single characters into groups: jieba without
    // HMM splits unknown names into characters (薪享贷 → 薪/享/贷, 安和 → 安/和)
    const words = wordsOf(run.text);
    let pos = 0; // character offset in the run
    let group: { start: number; chars: string[] } | undefined;
    const flush = () => {
      if (!group) return;
      let { start } = group;
      const g = group.chars;
      group = undefined;
      // generic characters at the edges (the 贷 of 薪享贷) are optional, inner ones stay (随借随还)
      while (g.length > 0 && GENERIC_WORDS.has(g[0]!)) {
        addOptional(g.shift()!, 'cjk');
        start++;
      }
      while (g.length > 0 && GENERIC_WORDS.has(g[g.length - 1]!)) addOptional(g.pop()!, 'cjk');
      if (g.length >= 2) {
        const text = g.join('');
        addRequired({ text, script: 'cjk', alternatives: [bigramsOf(text)] });
      } else if (g.length === 1) {
        // a lone character: itself, or (ranking higher) together with a neighbour
        const c = g[0]!;
        const alternatives = [[c]];
        if (start > 0) alternatives.push([chars[start - 1]! + c]);
        if (start + 1 < chars.length) alternatives.push([c + chars[start + 1]!]);
        addRequired({ text: c, script: 'cjk', alternatives });
      }
    };
    for (const w of words) {
      const len = Array.from(w).length;
      if (len === 1) {
        group ??= { start: pos, chars: [] };
        group.chars.push(w);
      } else {
        flush();
        if (GENERIC_WORDS.has(w)) addOptional(w, 'cjk');
        else addRequired({ text: w, script: 'cjk', alternatives: len === 2 ? [[w]] : [[w], bigramsOf(w)] });
      }
      pos += len;
    }
    flush();
    // adjacency: bigrams across word boundaries rank the exact phrase first (闪电贷 over 闪电借)
    for (const b of bigramsOf(run.text)) addOptional(b, 'cjk');
  }

  if (required.length === 0 && fallback.length > 0) {
    // nothing specific was asked (贷款, 5万): any of the words must match
    const alternatives = fallback.map((t) => t.alternatives[0]!);
    return { required: [{ text: fallback.map((t) => t.text).join(' '), script: 'cjk', alternatives }], optional: [], excluded };
  }
  return { required, optional, excluded };
}

/** Edit distance allowed for a Latin query word: none below 4 letters, 1 for 4–5, 2 from 6. */
export function typoDistance(term: string): number {
  if (!isLatinWord(term)) return 0;
  const len = Array.from(term).length;
  return len >= 6 ? 2 : len >= 4 ? 1 : 0;
}
