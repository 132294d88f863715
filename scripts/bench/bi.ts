/**
 * BI benchmark: loads a year of synthetic rollup rows (bi_daily_facts: every day × a mix of
 * institutions, products, channels, sub-IDs, regions, credit bands, purposes and doors, as the
 * nightly job would leave them) on PGlite, then runs typical pivots through BiService.query and
 * prints p50 / p95 milliseconds of each, with the ratio to a baseline measured in the same run
 * (a trivial `select 1` through the same driver), so the figures travel between machines.
 *
 *   npx tsx scripts/bench/bi.ts [--rows-per-day 400] [--days 366] [--runs 30]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import { openDatabase, queryRows } from '../../server/db/client';
import { rssLine, rssSampler } from './lib/rss';
import { systemClock } from '../../server/lib/clock';
import { PiiCipher } from '../../server/lib/pii';
import { AuditService } from '../../server/modules/audit';
import { BiService, parseSelection } from '../../server/modules/analytics';
import { NotificationsService, OutboxProvider } from '../../server/modules/notifications';

const { values } = parseArgs({
  options: {
    'rows-per-day': { type: 'string', default: '400' },
    days: { type: 'string', default: '366' },
    runs: { type: 'string', default: '30' },
  },
});
const perDay = Number(values['rows-per-day']);
const days = Number(values.days);
const runs = Number(values.runs);

const dir = mkdtempSync(path.join(tmpdir(), 'dc-bench-bi-'));
const rss = rssSampler();
const handle = await openDatabase({ dir });
try {
  await handle.migrate();
  const db = handle.db;
  const pii = new PiiCipher([{ id: 'bench', key: randomBytes(32) }]);
  const audit = new AuditService({ db, pii });
  const bi = new BiService({ db, audit, clock: systemClock, pii, notifications: new NotificationsService({ db, pii, clock: systemClock, audit, provider: new OutboxProvider() }) });

  const to = '2026-12-31';
  const t0 = performance.now();
  await db.execute(sql`
    insert into bi_daily_facts (day, institution_id, product_id, category, channel_id, sub_id, region, credit_band, purpose, device,
      visits, registrations, flagged_registrations, applications, approvals, rejections, disbursements, disbursed_fen, commission_fen, channel_cost_fen, active_loans, overdue_loans)
    select d::date, 'inst_' || (i % 20), 'prd_' || (i % 80), (array['信用贷','消费贷','经营贷','车贷'])[1 + i % 4],
      case when i % 9 = 0 then 'organic' else 'ch_' || (i % 12) end, 'sub' || (i % 5),
      (array['上海','北京','杭州','成都','广州','深圳','武汉','西安'])[1 + i % 8], (array['excellent','good','fair','poor','unknown'])[1 + i % 5],
      (array['装修','消费','经营','教育'])[1 + i % 4], (array['web','api'])[1 + i % 2],
      (random() * 50)::int, (random() * 10)::int, (random() * 2)::int, (random() * 8)::int, (random() * 4)::int, (random() * 4)::int,
      (random() * 3)::int, (random() * 30000000)::bigint, (random() * 200000)::bigint, (random() * 150000)::bigint, (random() * 40)::int, (random() * 4)::int
    from generate_series(${to}::date - ${days - 1}::int, ${to}::date, interval '1 day') d, generate_series(1, ${perDay}) i`);
  await db.execute(sql`analyze bi_daily_facts`);
  const [{ n } = { n: 0 }] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from bi_daily_facts`);
  console.log(`loaded ${n.toLocaleString('en')} rollup rows (${days} days × ${perDay}) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const time = async (fn: () => Promise<unknown>) => {
    const ms: number[] = [];
    await fn(); // warm
    for (let i = 0; i < runs; i++) {
      const s = performance.now();
      await fn();
      ms.push(performance.now() - s);
    }
    ms.sort((a, b) => a - b);
    return { p50: ms[Math.floor(runs * 0.5)]!, p95: ms[Math.min(runs - 1, Math.floor(runs * 0.95))]! };
  };
  const from = new Date(Date.parse(`${to}T00:00:00Z`) - (days - 1) * 86_400_000).toISOString().slice(0, 10);
  const year = (q: Record<string, unknown>) => parseSelection({ from, to, ...q }, to);
  const baseline = await time(() => queryRows(db, sql`select 1`));
  const cases: [string, Record<string, unknown>][] = [
    ['year total, 5 measures', { measures: 'visits,applications,approvals,disbursedAmount,roi' }],
    ['by month × channel, ROI', { measures: 'roi,commission,channelCost', rows: 'month', cols: 'channel' }],
    ['by day, applications + approval rate', { measures: 'applications,approvalRate', rows: 'day' }],
    ['by institution × region, overdue rate', { measures: 'overdueRate', rows: 'institution', cols: 'region' }],
    ['by week × credit band, one channel', { measures: 'applications,disbursedAmount', rows: 'week', cols: 'creditBand', 'f.channel': 'ch_3' }],
    ['by sub-ID, registrations', { measures: 'registrations,visits', rows: 'subId' }],
  ];
  console.log(`baseline (select 1): p50 ${baseline.p50.toFixed(2)} ms, p95 ${baseline.p95.toFixed(2)} ms`);
  console.log('| pivot (a year) | p50 ms | p95 ms | p50 ÷ baseline |');
  console.log('|---|---:|---:|---:|');
  for (const [name, q] of cases) {
    const sel = year(q);
    const r = await time(() => bi.query(sel));
    console.log(`| ${name} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${(r.p50 / baseline.p50).toFixed(0)}× |`);
  }
  console.log(rssLine(rss));
} finally {
  await handle.close();
  rmSync(dir, { recursive: true, force: true });
}
