import { z } from 'zod';
import { dictionaryEntriesSchema, dictionaryEntrySchema, reportPeriods } from '../../../modules/search';
import { instant } from '../responses';

/** The search dictionary and the search report, for operators' tools. */

export const searchReportQuery = z.strictObject({
  days: z.coerce
    .number({ error: 'days 须为 7 或 30' })
    .refine((d) => (reportPeriods as readonly number[]).includes(d), 'days 须为 7 或 30')
    .optional()
    .describe('the period: the last 7 (default) or 30 days'),
  limit: z.coerce.number({ error: 'limit 须为 1–200 的整数' }).int('limit 须为 1–200 的整数').min(1, 'limit 须为 1–200 的整数').max(200, 'limit 须为 1–200 的整数').optional().describe('rows per list, default 50'),
});

const queryRow = z.object({
  query: z.string().describe('the search text, lower-cased (digit runs were never stored)'),
  searches: z.number().int(),
  lastSeen: instant,
  lastResultCount: z.number().int().nullable().describe('products the latest search matched; null when recorded before counts were kept'),
  zeroResults: z.number().int().describe('searches that matched nothing'),
  rewritten: z.string().describe('what the index is asked under the active dictionary (empty: only filters or an order)'),
  understood: z.array(z.string()).describe('what was read, in words: 买车 → 车贷'),
});

export const searchReportResponse = z.object({
  days: z.number().int(),
  since: instant,
  top: z.array(queryRow).describe('most searched first'),
  zeroResults: z.array(queryRow).describe('texts that matched nothing at least once, most such searches first'),
});

const versionJson = z.object({
  version: z.number().int(),
  note: z.string(),
  author: z.string(),
  createdAt: instant.nullable().describe('null for the code default (version 1)'),
});

export const dictionaryResponse = versionJson.extend({
  entries: z.array(dictionaryEntrySchema),
  versions: z.array(versionJson.extend({ entries: z.number().int().describe('how many entries') })).describe('newest first'),
});

export const dictionaryBody = z.strictObject({
  entries: dictionaryEntriesSchema.describe('the full entry list of the new version: synonym { words, to }, intent { words, intent }, negation { words, to, negates }; no word in two entries'),
  note: z.string().max(200, '说明最多 200 字').optional(),
});

export const savedDictionaryResponse = versionJson.extend({ entries: z.array(dictionaryEntrySchema) });
