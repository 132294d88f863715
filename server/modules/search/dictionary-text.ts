import { z } from 'zod';
import { dictionaryKinds, searchIntents, type DictionaryEntry } from './dictionary';
import { normalizeText } from './tokenizer';

/*
 * The dictionary as operators edit it: one entry per line.
 *
 *   synonym: 买车, 汽车贷款 => 车贷
 *   intent: 急用钱, 当天到账 => fast
 *   negation: 免抵押, 无抵押 => 免抵押 != 抵押
 *
 * 同义/意图/否定 may stand for the kinds, ，、 for commas, ：for the colon; blank lines and lines
 * starting with # are skipped. Checked with `dictionaryEntriesSchema` (kinds, non-empty words,
 * intents from the typed list, no word in two entries).
 */

const word = z.string().trim().min(1, '词不能为空').max(30, '每个词最多 30 个字');
const words = z.array(word).min(1, '至少要有一个词').max(100, '一条最多 100 个词');
const target = (what: string) => z.string({ error: `缺少${what}` }).trim().min(1, `${what}不能为空`).max(30, `${what}最多 30 个字`);

export const dictionaryEntrySchema = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({ kind: z.literal('synonym'), words, to: target('改写成的词') }),
    z.strictObject({ kind: z.literal('intent'), words, intent: z.enum(searchIntents, { error: `意图只能是 ${searchIntents.join('、')}` }) }),
    z.strictObject({ kind: z.literal('negation'), words, to: target('否定短语'), negates: target('被否定的词') }),
  ],
  { error: `类型只能是 ${dictionaryKinds.join('、')}` },
);

/** the full entry list of a version: at least one entry, no word in two entries */
export const dictionaryEntriesSchema = z
  .array(dictionaryEntrySchema)
  .min(1, '词典至少要有一条')
  .max(1000, '词典最多 1000 条')
  .superRefine((entries, ctx) => {
    const seen = new Map<string, number>();
    entries.forEach((entry, i) => {
      entry.words.forEach((w, j) => {
        const key = normalizeText(w);
        const first = seen.get(key);
        if (first !== undefined) {
          ctx.addIssue({ code: 'custom', path: [i, 'words', j], message: first === i ? `“${w}”在本条中重复` : `“${w}”已在第 ${first + 1} 条中出现，一个词只能属于一条` });
        } else seen.set(key, i);
      });
    });
  });

const kindWords: Record<string, (typeof dictionaryKinds)[number]> = { synonym: 'synonym', intent: 'intent', negation: 'negation', 同义: 'synonym', 同义词: 'synonym', 意图: 'intent', 否定: 'negation' };

export interface ParsedText {
  /** entries as read (not yet checked) */
  entries: unknown[];
  /** for each entry, the line it came from (1-based) */
  lines: number[];
  /** lines that could not be read: line number → why */
  errors: { line: number; message: string }[];
}

const splitWords = (text: string) => text.split(/[,，、]/).map((w) => w.trim()).filter(Boolean);

/** Reads the one-entry-per-line text; what a line says is checked later by the schema. */
export function parseDictionaryText(text: string): ParsedText {
  const out: ParsedText = { entries: [], lines: [], errors: [] };
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const at = i + 1;
    const m = /^([^:：]+)[:：](.*)$/u.exec(line);
    const kind = m ? kindWords[m[1]!.trim().toLowerCase()] : undefined;
    if (!m || !kind) return void out.errors.push({ line: at, message: `应以 synonym:、intent: 或 negation: 开头` });
    const [left, right, ...more] = m[2]!.split('=>');
    if (right === undefined || more.length > 0) return void out.errors.push({ line: at, message: '应写成“词, 词 => 改写成的词”，且只有一个 =>' });
    const entryWords = splitWords(left!);
    if (kind === 'synonym') out.entries.push({ kind, words: entryWords, to: right.trim() });
    else if (kind === 'intent') out.entries.push({ kind, words: entryWords, intent: right.trim() });
    else {
      const [to, negates, ...rest] = right.split(/!=|≠/u);
      if (negates === undefined || rest.length > 0) return void out.errors.push({ line: at, message: '否定应写成“词, 词 => 否定短语 != 被否定的词”' });
      out.entries.push({ kind, words: entryWords, to: to!.trim(), negates: negates.trim() });
    }
    out.lines.push(at);
  });
  return out;
}

/** The entries as text, one per line, as parseDictionaryText reads them. */
export function formatDictionaryText(entries: readonly DictionaryEntry[]): string {
  return entries
    .map((e) => {
      const left = `${e.kind}: ${e.words.join(', ')} => `;
      if (e.kind === 'synonym') return left + e.to;
      if (e.kind === 'intent') return left + e.intent;
      return `${left}${e.to} != ${e.negates}`;
    })
    .join('\n');
}
