import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { demoInstitutions, demoProducts } from '../../server/demo/demo-data';
import { demoFeeRules } from '../../server/demo/seed-demo';
import { productAprRange } from '../../server/modules/pricing';
import { defaultDictionary, MemorySearchIndex, understandQuery, type ProductDocument, type SearchDictionary, type SearchQuery } from '../../server/modules/search';

/*
 * The relevance evaluation: the demo catalogue in the in-process index, each judged query asked
 * twice — as typed (before: literal, no query understanding) and read first (after: dictionary,
 * amounts and terms, intents) — scored by recall@10 and nDCG@10 against the judgments in
 * queries.json. Used by `npm run relevance` and test/relevance/relevance.test.ts.
 */

export interface JudgedQuery {
  q: string;
  category: string;
  /** product name → 2 (exactly what was asked) or 1 (acceptable) */
  relevant: Record<string, 1 | 2>;
  note?: string;
}

export const queriesPath = fileURLToPath(new URL('./queries.json', import.meta.url));

export function loadQueries(path = queriesPath): JudgedQuery[] {
  return (JSON.parse(readFileSync(path, 'utf8')) as { queries: JudgedQuery[] }).queries;
}

/** The demo products as the index holds them; the id is the product name (unique in the demo). */
export function demoDocuments(): ProductDocument[] {
  const institutions = new Map(demoInstitutions.map((i) => [i.key, i]));
  return demoProducts.map((p) => {
    const institution = institutions.get(p.institution)!;
    const fees = demoFeeRules(p.category, institution.kind);
    const apr = productAprRange({
      minAmountFen: p.minAmountYuan * 100,
      maxAmountFen: p.maxAmountYuan * 100,
      termOptions: p.termOptions,
      repaymentMethods: p.repaymentMethods,
      rateMin: p.rateMin,
      rateMax: p.rateMax,
      upfrontFeeRate: p.upfrontFeeRate,
      monthlyFeeRate: p.monthlyFeeRate,
      guaranteeFeeRate: fees.guaranteeFeeRate,
      insuranceFeeRate: fees.insuranceFeeRate,
    });
    const { minMonthlyIncomeYuan, ...eligibility } = p.eligibility;
    return {
      id: p.name,
      name: p.name,
      institutionId: institution.key,
      institutionName: institution.shortName,
      institutionFullName: institution.name,
      category: p.category,
      summary: p.summary,
      tags: p.tags,
      minAmountFen: p.minAmountYuan * 100,
      maxAmountFen: p.maxAmountYuan * 100,
      termOptions: p.termOptions,
      repaymentMethods: p.repaymentMethods,
      aprMin: apr.min,
      aprMax: apr.max,
      decisionMinutes: p.decisionMinutes,
      disbursementHours: p.disbursementHours,
      popularity: 0,
      approvalRate: 0.6,
      eligibility: { ...eligibility, minMonthlyIncomeFen: minMonthlyIncomeYuan * 100, ...(fees.minCreditScore ? { minCreditScore: fees.minCreditScore } : {}) },
      updatedAt: '2026-01-01T00:00:00.000Z',
    };
  });
}

export const K = 10;

/** share of the relevant products found in the first K, out of as many as fit in K */
export function recallAt(ids: readonly string[], relevant: Record<string, number>, k = K): number {
  const wanted = Object.keys(relevant);
  if (wanted.length === 0) return 1;
  const hits = ids.slice(0, k).filter((id) => (relevant[id] ?? 0) > 0).length;
  return hits / Math.min(k, wanted.length);
}

/** normalised discounted cumulative gain at K, gain 2^grade − 1 */
export function ndcgAt(ids: readonly string[], relevant: Record<string, number>, k = K): number {
  const dcg = (grades: number[]) => grades.slice(0, k).reduce((sum, g, i) => sum + (2 ** g - 1) / Math.log2(i + 2), 0);
  const ideal = dcg(Object.values(relevant).sort((a, b) => b - a));
  return ideal === 0 ? 1 : dcg(ids.map((id) => relevant[id] ?? 0)) / ideal;
}

/** What the catalogue asks the index for a query (catalogue.service withUnderstanding, sorting by relevance unless an intent asks for an order). */
export function indexQuery(q: string, mode: 'before' | 'after', dictionary: SearchDictionary = defaultDictionary): SearchQuery {
  const base: SearchQuery = { q, sort: 'relevance', page: 1, pageSize: K };
  if (mode === 'before') return base;
  const u = understandQuery(q, dictionary);
  return {
    ...base,
    q: u.text || undefined,
    amountFen: u.filters.amountFen,
    termMonths: u.filters.termMonths,
    eligibleFor: u.filters.employment ? { employment: u.filters.employment } : undefined,
    sort: u.sort ?? 'relevance',
  };
}

export interface QueryScore {
  q: string;
  category: string;
  before: { recall: number; ndcg: number; ids: string[] };
  after: { recall: number; ndcg: number; ids: string[]; rewritten: string };
}

export interface Summary {
  queries: number;
  before: { recall: number; ndcg: number };
  after: { recall: number; ndcg: number };
}

export interface Evaluation {
  overall: Summary;
  byCategory: Record<string, Summary>;
  scores: QueryScore[];
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
function summarise(scores: QueryScore[]): Summary {
  return {
    queries: scores.length,
    before: { recall: mean(scores.map((s) => s.before.recall)), ndcg: mean(scores.map((s) => s.before.ndcg)) },
    after: { recall: mean(scores.map((s) => s.after.recall)), ndcg: mean(scores.map((s) => s.after.ndcg)) },
  };
}

/** Runs every judged query before and after query understanding on the demo catalogue. */
export async function evaluate(queries: JudgedQuery[] = loadQueries(), dictionary: SearchDictionary = defaultDictionary): Promise<Evaluation> {
  const index = new MemorySearchIndex();
  await index.replaceAll(demoDocuments());
  const scores: QueryScore[] = [];
  for (const judged of queries) {
    const before = (await index.search(indexQuery(judged.q, 'before', dictionary))).ids;
    const asked = indexQuery(judged.q, 'after', dictionary);
    const after = (await index.search(asked)).ids;
    scores.push({
      q: judged.q,
      category: judged.category,
      before: { recall: recallAt(before, judged.relevant), ndcg: ndcgAt(before, judged.relevant), ids: before },
      after: { recall: recallAt(after, judged.relevant), ndcg: ndcgAt(after, judged.relevant), ids: after, rewritten: describe(asked) },
    });
  }
  await index.close();
  const categories = [...new Set(scores.map((s) => s.category))];
  return {
    overall: summarise(scores),
    byCategory: Object.fromEntries(categories.map((c) => [c, summarise(scores.filter((s) => s.category === c))])),
    scores,
  };
}

function describe(q: SearchQuery): string {
  const parts = [q.q ? `“${q.q}”` : '（无词）'];
  if (q.amountFen !== undefined) parts.push(`金额 ${q.amountFen / 100} 元`);
  if (q.termMonths !== undefined) parts.push(`${q.termMonths} 期`);
  if (q.eligibleFor?.employment) parts.push(q.eligibleFor.employment);
  if (q.sort !== 'relevance') parts.push(`按 ${q.sort}`);
  return parts.join(' ');
}
