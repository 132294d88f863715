/**
 * Today's part of the operator funnel, statement by statement (a measurement, not a test: it exits 0
 * once it has run).
 *
 *   npx tsx scripts/bench/funnel-today.ts --database-url postgres://… [--data-dir DIR] [--repeat 7] [--periods 30,366] [--plan]
 *
 * On a database holding a generated year (generate-year.ts, with or without its rollup), runs the
 * funnel's two statements (funnel-rollup.ts: the visitor steps and the applicant steps) for periods
 * ending today as the dashboard does when every earlier day is rolled up: the period's earlier days
 * read from the rollup, today read from the raw rows. Each statement runs `--repeat` times under
 * `explain (analyze)`; prints the execution times (median and max, ms) and the applicant counts (the
 * same before and after a change of the SQL, or the change is wrong).
 */
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import { openDatabase, queryRows } from '../../server/db/client';
import { rssLine, rssSampler } from './lib/rss';
import { shanghaiDate, shanghaiDayStart } from '../../server/lib/shanghai-date';
import { addDays } from '../../server/modules/analytics/date-range';
import { funnelQueries } from '../../server/modules/analytics/funnel-rollup';
import { positiveInt } from './lib/args';

const { values: args } = parseArgs({
  options: {
    'database-url': { type: 'string' },
    'data-dir': { type: 'string' },
    repeat: { type: 'string', default: '7' },
    periods: { type: 'string', default: '30,366' },
    /** print each statement's plan (explain analyze, text) once */
    plan: { type: 'boolean', default: false },
  },
});
const repeat = positiveInt(args, 'repeat');
const rss = rssSampler();
const handle = await openDatabase({ url: args['database-url'], dir: args['data-dir'] });
const db = handle.db;
const now = new Date();
const today = shanghaiDate(now);
const ms = (xs: number[]) => xs.map((x) => x.toFixed(0));

for (const days of args.periods!.split(',').map(Number)) {
  const from = addDays(today, -(days - 1));
  const rolledDays: string[] = [];
  for (let d = from; d < today; d = addDays(d, 1)) rolledDays.push(d);
  const todaySpan = [{ start: shanghaiDayStart(today), end: now }];
  const queries = funnelQueries({ from, to: today, rolledDays, liveSpans: todaySpan, livePeriodSpans: todaySpan });
  for (const [name, query] of Object.entries(queries)) {
    const times: number[] = [];
    for (let i = 0; i < repeat; i++) {
      const [row] = await queryRows<{ 'QUERY PLAN': [{ 'Execution Time': number }] }>(db, sql`explain (analyze, format json) ${query}`);
      times.push(row!['QUERY PLAN'][0]['Execution Time']);
    }
    if (args.plan) {
      const plan = await queryRows<{ 'QUERY PLAN': string }>(db, sql`explain (analyze) ${query}`);
      console.log(plan.map((r) => r['QUERY PLAN']).join('\n'));
    }
    const sorted = [...times].sort((x, y) => x - y);
    const result = name === 'applicants' ? await queryRows<Record<string, unknown>>(db, sql`select * from (${query}) q order by 1`) : [];
    console.log(
      `${days} days, ${name}: median ${ms([sorted[Math.floor(sorted.length / 2)]!])} ms, max ${ms([sorted[sorted.length - 1]!])} ms (runs ${ms(times).join(' ')})` +
        (result.length ? `\n  ${result.map((r) => Object.values(r).join(' ')).join('\n  ')}` : ''),
    );
  }
}
console.log(rssLine(rss));
await handle.close();
