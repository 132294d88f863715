import { evaluate, loadQueries, type Summary } from './relevance/evaluate';

/*
 * npm run relevance [-- --worst N]: recall@10 and nDCG@10 of product search on the demo
 * catalogue, before (the words as typed) and after query understanding with the default
 * dictionary, overall and per query category, then the worst queries after. No server or
 * database: the demo products are loaded into the in-process index.
 */
const worstArg = process.argv.indexOf('--worst');
const worstCount = worstArg >= 0 ? Number(process.argv[worstArg + 1] ?? 20) : 20;

const queries = loadQueries();
const result = await evaluate(queries);
const pct = (x: number) => `${(x * 100).toFixed(1)}%`.padStart(6);
const line = (label: string, s: Summary) =>
  `${label.padEnd(12)} ${String(s.queries).padStart(4)}   ${pct(s.before.recall)} → ${pct(s.after.recall)}   ${s.before.ndcg.toFixed(3)} → ${s.after.ndcg.toFixed(3)}`;

const out: string[] = [];
out.push(`relevance on the demo catalogue: ${queries.length} judged queries, in-process index, k = 10`);
out.push('');
out.push(`${'category'.padEnd(12)} ${'n'.padStart(4)}   recall@10 before → after   nDCG@10 before → after`);
out.push(line('overall', result.overall));
for (const [category, summary] of Object.entries(result.byCategory)) out.push(line(category, summary));
out.push('');
out.push(`worst ${worstCount} queries after understanding (nDCG@10, recall@10, what the index was asked, first results):`);
const worst = [...result.scores].sort((a, b) => a.after.ndcg - b.after.ndcg || a.after.recall - b.after.recall).slice(0, worstCount);
for (const s of worst) {
  out.push(`  ${s.after.ndcg.toFixed(3)} ${pct(s.after.recall)}  [${s.category}] ${s.q}  → ${s.after.rewritten}  :: ${s.after.ids.slice(0, 4).join('、') || '（无结果）'}`);
}
const worse = result.scores.filter((s) => s.after.ndcg < s.before.ndcg - 1e-9);
out.push('');
out.push(`queries worse after than before: ${worse.length}`);
for (const s of worse) out.push(`  ${s.before.ndcg.toFixed(3)} → ${s.after.ndcg.toFixed(3)}  [${s.category}] ${s.q}  → ${s.after.rewritten}`);
process.stdout.write(out.join('\n') + '\n');
