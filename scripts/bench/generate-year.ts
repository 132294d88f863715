/**
 * A year of platform activity for the back-office benchmark (scripts/bench/back-office.ts), loaded
 * with bulk SQL (generate_series; multi-row inserts for the few rows computed in JavaScript), not
 * through the request path: this script's job is data, not proving the service path.
 *
 *   npx tsx scripts/bench/generate-year.ts [--data-dir ./data/bench-year] [--database-url postgres://…]
 *        [--events 1000000] [--applications 100000] [--loans 20000] [--consumers 60000] [--days 365]
 *        [--no-rollup]
 *
 * On an empty database it first seeds the demo (institutions, listed products, channels, agreements,
 * the operator and institution logins), then adds, spread over the last `--days` Asia/Shanghai days
 * (growing towards today, as a platform does):
 *   - consumers with profiles (age, city, credit self-assessment), a third attributed to a channel
 *     (with the landing touch), their visitor key the one the app derives (so the funnel follows them);
 *   - catalogue events: searches, product views, clicks, compares, calculator uses and applies, from
 *     those consumers and from anonymous visitors, on the web and through the API, plus the per-day
 *     impression totals;
 *   - applications (each with its consent and status history: submitted, reviewed, approved or
 *     rejected, accepted, disbursed, withdrawn or expired), a CPL commission accrual and its ledger
 *     journal per application;
 *   - loans for the disbursed ones, with instalment schedules, repayments (some late) and overdue
 *     instalments (a share of loans stop paying);
 *   - complaints.
 * Then ANALYZE, and (unless --no-rollup) the BI rollup for every day of the year through the
 * scheduled job's own code (BiService.rebuild), as the jobs would have left it.
 *
 * The PII key of the app is taken from `--data-dir` (dev-secrets.json), so run the app (or the bench)
 * with the same DATA_DIR: the funnel matches borrowers to their visitor key with it.
 */
import { parseArgs } from 'node:util';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { sql } from 'drizzle-orm';
import { loadConfig } from '../../server/config';
import { createContainer, type Container } from '../../server/container';
import { queryRows, type Database } from '../../server/db/client';
import { seedDemo } from '../../server/demo/seed-demo';
import { shanghaiDate } from '../../server/lib/shanghai-date';
import { shiftDay } from '../../server/modules/analytics/bi-model';

export interface YearOptions {
  events: number;
  applications: number;
  loans: number;
  consumers: number;
  days: number;
  rollup: boolean;
}

const log = (line: string) => process.stderr.write(`${line}\n`);

/** A timestamp within the last `days` days, weighted towards today (a platform that grows): `r` in [0, 1). */
const ago = (days: number, r: string) => `now() - (1 - sqrt(${r})) * interval '${days} days'`;

async function step(db: Database, name: string, query: ReturnType<typeof sql>): Promise<void> {
  const t = performance.now();
  await db.execute(query);
  log(`  ${name}: ${((performance.now() - t) / 1000).toFixed(1)} s`);
}

/** Loads the year into the container's database (seeding the demo first when it is empty). */
export async function generateYear(container: Container, o: YearOptions): Promise<void> {
  const db = container.database.db;
  const t0 = performance.now();
  const seeded = await seedDemo(container.services);
  log(seeded ? 'demo data seeded' : 'database already had data (no demo seed)');
  const [{ n: already } = { n: 0 }] = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from accounts where login_hash like 'bench-year:%'`);
  if (already > 0) throw new Error(`this database already holds a generated year (${already} generated consumers); use a fresh one`);

  // helper tables, dropped at the end (ordinary tables: a pool may hand each statement another connection)
  await db.execute(sql`drop table if exists gen_products, gen_consumers, gen_apps`);
  await db.execute(sql`create table gen_products as
    select (row_number() over (order by p.id))::int as n, p.id, p.institution_id, p.category,
      (select a.id from agreements a where a.institution_id = p.institution_id order by a.id limit 1) as agreement_id
    from products p where p.status = 'listed'`);
  const [{ np } = { np: 0 }] = await queryRows<{ np: number }>(db, sql`select count(*)::int as np from gen_products`);
  if (!np) throw new Error('no listed products to generate activity for');
  const channelIds = (await queryRows<{ id: string }>(db, sql`select id from channels where status = 'active' order by id`)).map((r) => r.id);

  // consumers: ids and visitor keys (the HMAC the app derives), sent in multi-row inserts
  await db.execute(sql`create table gen_consumers (n int primary key, id text not null, visitor text not null)`);
  const chunk = 2000;
  for (let start = 1; start <= o.consumers; start += chunk) {
    const rows = [];
    for (let n = start; n < Math.min(start + chunk, o.consumers + 1); n++) {
      const id = `usr_year${String(n).padStart(7, '0')}`;
      rows.push(sql`(${n}, ${id}, ${container.pii.blindIndex(`visitor:account:${id}`)})`);
    }
    await db.execute(sql`insert into gen_consumers (n, id, visitor) values ${sql.join(rows, sql`, `)}`);
  }
  log(`generating: ${o.consumers} consumers, ${o.events} catalogue events, ${o.applications} applications, ${o.loans} loans over ${o.days} days`);
  const cities = `array['北京','上海','广州','深圳','杭州','成都','武汉','南京','西安','重庆','郑州','长沙','苏州','天津','青岛']`;
  const bands = `array['excellent','good','good','fair','fair','poor','unknown']`;
  const chans = channelIds.length ? `array[${channelIds.map((c) => `'${c}'`).join(',')}]` : `array[]::text[]`;

  await step(
    db,
    'accounts + profiles',
    sql`with c as (select n, id, ${sql.raw(ago(o.days, 'random()'))} as at from gen_consumers),
      acc as (insert into accounts (id, kind, login_hash, login_enc, login_masked, password_hash, display_name, role, created_at)
        select id, 'consumer', 'bench-year:' || n, '', '138****' || lpad((n % 10000)::text, 4, '0'), '!', '用户' || n, 'consumer', at from c returning id)
      insert into consumer_profiles (account_id, age, city, credit_self_assessment, monthly_income_fen, employment)
      select id, 20 + (n * 7) % 40, (${sql.raw(cities)})[1 + (n * 13) % 15], (${sql.raw(bands)})[1 + (n * 11) % 7], (5000 + (n * 37) % 30000) * 100, 'salaried'
      from gen_consumers`,
  );
  if (channelIds.length) {
    await step(
      db,
      'channel touches + attributions (a third of the consumers)',
      sql`with c as (select g.n, g.id, g.visitor, a.created_at, (${sql.raw(chans)})[1 + (g.n * 7) % ${channelIds.length}] as channel_id, 's' || (g.n % 5) as sub_id
          from gen_consumers g join accounts a on a.id = g.id where g.n % 3 = 0),
        t as (insert into channel_touches (visitor, channel_id, sub_id, landing_path, device, touched_at)
          select visitor, channel_id, sub_id, '/', 'dev' || n, created_at - interval '20 minutes' from c returning id, visitor)
        insert into channel_attributions (account_id, channel_id, sub_id, touch_id, touched_at, attributed_at, device)
        select c.id, c.channel_id, c.sub_id, t.id, c.created_at - interval '20 minutes', c.created_at, 'dev' || c.n from c join t on t.visitor = c.visitor`,
    );
  }
  await step(
    db,
    'catalogue events',
    sql`insert into catalogue_events (kind, channel, visitor, product_id, query, result_count, created_at)
      select k.kind, case when i % 10 < 7 then 'web' else 'api' end,
        case when i % 5 < 3 then (select visitor from gen_consumers where n = 1 + (hashint4(i) & 2147483647) % ${o.consumers}) else 'anon:' || ((hashint4(i + 7) & 2147483647) % 300000) end,
        case when k.kind = 'search' then null else (select id from gen_products where n = 1 + (hashint4(i + 3) & 2147483647) % ${np}) end,
        case when k.kind = 'search' then (array['装修','信用贷','车贷','经营','公积金','低息','分期'])[1 + i % 7] end,
        case when k.kind = 'search' then (i % 40) end,
        ${sql.raw(ago(o.days, 'random()'))}
      from generate_series(1, ${o.events}) i
      cross join lateral (select (array['search','search','search','view','view','view','view','view','click','compare','calculate','apply'])[1 + (hashint4(i + 11) & 2147483647) % 12] as kind) k`,
  );
  await step(
    db,
    'impression totals',
    sql`insert into catalogue_impressions (day, product_id, channel, list, count)
      select d::date, p.id, ch, 'search', (20 + (hashint4(p.n * 1000 + extract(doy from d)::int) & 2147483647) % 400) * (1 + extract(doy from d)::int % 3)
      from generate_series((now() at time zone 'Asia/Shanghai')::date - ${o.days - 1}::int, (now() at time zone 'Asia/Shanghai')::date, interval '1 day') d
      cross join gen_products p cross join unnest(array['web','api']) ch
      on conflict do nothing`,
  );
  // applications: the first `loans` of them disbursed; the rest in the other states, decided ones with a first response
  await step(
    db,
    'applications (working table)',
    sql`create table gen_apps as
      select i as n, 'app_year' || lpad(i::text, 8, '0') as id, 'cns_year' || lpad(i::text, 8, '0') as consent_id, c.id as consumer_id, p.id as product_id, p.institution_id, p.agreement_id,
        at as created_at,
        case when i <= ${o.loans} then 'disbursed' else s.status end as status,
        (array[3,6,12,12,12,24,36])[1 + i % 7] as term_months,
        (10 + (hashint4(i) & 2147483647) % 490) * 100000::bigint as amount_fen,
        (array['消费','装修','经营','教育','医疗','旅游'])[1 + i % 6] as purpose,
        (${sql.raw(cities)})[1 + (c.n * 13) % 15] as city, (${sql.raw(bands)})[1 + (c.n * 11) % 7] as band,
        case when i % 4 = 0 then 'api' else 'web' end as door
      from generate_series(1, ${o.applications}) i
      cross join lateral (select ${sql.raw(ago(o.days, '((hashint4(i * 31) & 2147483647) % 1000000) / 1000000.0'))} as at) t
      join gen_consumers c on c.n = 1 + (hashint4(i + 5) & 2147483647) % ${o.consumers}
      join gen_products p on p.n = 1 + (hashint4(i + 9) & 2147483647) % ${np}
      cross join lateral (select (array['submitted','reviewing','approved','accepted','declined','rejected','rejected','rejected','rejected','rejected','withdrawn','expired','expired'])[1 + (hashint4(i + 13) & 2147483647) % 13] as status) s`,
  );
  // disbursed loans need time for a schedule: they are created at least 2 days ago
  await db.execute(sql`update gen_apps set created_at = least(created_at, now() - interval '2 days') where status = 'disbursed'`);
  await db.execute(sql`alter table gen_apps add column first_response_at timestamptz, add column decided_at timestamptz, add column disbursed_at timestamptz`);
  await db.execute(sql`update gen_apps set
      first_response_at = case when status not in ('submitted', 'withdrawn', 'expired') then least(now(), created_at + (1 + n % 47) * interval '1 hour' * (0.3 + (n % 10) / 10.0)) end,
      decided_at = case when status not in ('submitted', 'reviewing', 'withdrawn', 'expired') then least(now(), created_at + (2 + n % 70) * interval '1 hour') end`);
  await db.execute(sql`update gen_apps set disbursed_at = least(now() - interval '1 day', decided_at + (1 + n % 3) * interval '1 day') where status = 'disbursed'`);
  await step(
    db,
    'applications + consents',
    sql`with ins as (insert into applications (id, consumer_id, product_id, institution_id, amount_fen, term_months, purpose, applicant_name_enc, applicant_city, status,
          offered_amount_fen, offered_term_months, offered_apr, reject_reason, disbursed_amount_fen, disbursed_at, created_at, updated_at, consent_id, first_response_at, applicant_credit_band, queue)
        select id, consumer_id, product_id, institution_id, amount_fen, term_months, purpose, '', city, status,
          case when status in ('approved','accepted','declined','disbursed') then amount_fen end, case when status in ('approved','accepted','declined','disbursed') then term_months end,
          case when status in ('approved','accepted','declined','disbursed') then 0.1200 end, case when status = 'rejected' then '综合评分不足' end,
          case when status = 'disbursed' then amount_fen end, disbursed_at, created_at, coalesce(disbursed_at, decided_at, first_response_at, created_at), consent_id, first_response_at, band, 'normal'
        from gen_apps returning 1)
      insert into consents (id, consumer_id, institution_id, application_id, purpose, fields, granted_at, door)
      select consent_id, consumer_id, institution_id, id, '用于审核你的贷款申请', array['realName','phone','city'], created_at, door from gen_apps`,
  );
  await step(
    db,
    'status history',
    sql`insert into application_events (application_id, from_status, to_status, actor_kind, created_at)
      select id, null, 'submitted', 'consumer', created_at from gen_apps
      union all select id, 'submitted', 'reviewing', 'institution', first_response_at from gen_apps where first_response_at is not null
      union all select id, 'reviewing', case when status = 'rejected' then 'rejected' else 'approved' end, 'institution', decided_at from gen_apps where decided_at is not null
      union all select id, 'approved', 'accepted', 'consumer', decided_at + interval '3 hours' from gen_apps where status in ('accepted', 'disbursed')
      union all select id, 'approved', 'declined', 'consumer', decided_at + interval '3 hours' from gen_apps where status = 'declined'
      union all select id, 'accepted', 'disbursed', 'institution', disbursed_at from gen_apps where status = 'disbursed'
      union all select id, 'submitted', status, 'system', created_at + interval '7 days' from gen_apps where status in ('withdrawn', 'expired')`,
  );
  await step(
    db,
    'commission: CPL journals, entries and accruals',
    sql`with j as (insert into ledger_journals (id, source_key, kind, institution_id, application_id, agreement_id, memo, posted_at)
          select 'jnl_year' || lpad(n::text, 8, '0'), 'cpl:' || id, 'commission_cpl', institution_id, id, agreement_id, 'CPL', created_at from gen_apps where agreement_id is not null returning id, institution_id, posted_at),
        e as (insert into ledger_entries (journal_id, account, amount_fen, created_at)
          select id, 'receivable:institution:' || institution_id, 1500, posted_at from j union all select id, 'revenue:commission:cpl', -1500, posted_at from j returning 1)
      insert into commission_accruals (id, source_key, rule, institution_id, application_id, agreement_id, event_at, month, ordinal, amount_fen, journal_id, memo, created_at)
      select 'acr_year' || lpad(n::text, 8, '0'), 'cpl:' || id, 'cpl', institution_id, id, agreement_id, created_at, to_char(created_at at time zone 'Asia/Shanghai', 'YYYY-MM'),
        (row_number() over (partition by institution_id, to_char(created_at at time zone 'Asia/Shanghai', 'YYYY-MM') order by created_at, id))::int, 1500, 'jnl_year' || lpad(n::text, 8, '0'), 'CPL 每笔 ¥15.00', created_at
      from gen_apps where agreement_id is not null`,
  );
  await step(
    db,
    'loans',
    sql`insert into loans (id, application_id, consumer_id, institution_id, product_id, principal_fen, annual_rate, term_months, method, disbursed_at, first_due_date, status, created_at, updated_at)
      select 'loan_year' || lpad(n::text, 8, '0'), id, consumer_id, institution_id, product_id, amount_fen, 0.12, term_months, 'equal_principal', disbursed_at,
        ((disbursed_at at time zone 'Asia/Shanghai')::date + interval '1 month')::date, 'active', disbursed_at, disbursed_at
      from gen_apps where status = 'disbursed'`,
  );
  // instalments: paid on time mostly, some late; one loan in twelve stops paying from a period on
  await step(
    db,
    'instalments',
    sql`with l as (select id, principal_fen, term_months, first_due_date, (hashint4(hashtext(id)) & 2147483647) as h from loans where id like 'loan\\_year%'),
      s as (select l.id as loan_id, k as period, (l.first_due_date + (k - 1) * interval '1 month')::date as due_date,
          case when k = l.term_months then l.principal_fen - (l.principal_fen / l.term_months) * (l.term_months - 1) else l.principal_fen / l.term_months end as principal_fen,
          ((l.principal_fen - (l.principal_fen / l.term_months) * (k - 1)) * 0.01)::bigint as interest_fen,
          (l.h % 12 = 0 and k >= 1 + l.h % 3) as defaulted, (l.h + k) % 9 = 0 as late, l.h
        from l cross join generate_series(1, l.term_months) k),
      p as (select s.*, not defaulted and due_date + (case when late then 1 + (h + period) % 20 else 0 end) < (now() at time zone 'Asia/Shanghai')::date as paid from s)
      insert into loan_instalments (loan_id, period, due_date, principal_fen, interest_fen, fee_fen, paid_principal_fen, paid_interest_fen, status, paid_off_at)
      select loan_id, period, due_date, principal_fen, interest_fen, 0,
        case when paid then principal_fen else 0 end, case when paid then interest_fen else 0 end,
        case when paid then 'paid' when due_date < (now() at time zone 'Asia/Shanghai')::date then 'overdue' else 'pending' end,
        case when paid then (due_date + (case when late then 1 + (h + period) % 20 else 0 end))::timestamp at time zone 'Asia/Shanghai' + interval '10 hours' end
      from p`,
  );
  await step(
    db,
    'repayments + settled loans',
    sql`with r as (insert into loan_repayments (id, loan_id, transaction_id, kind, amount_fen, allocated_fen, allocation, paid_at, channel, created_at)
          select 'rep_year' || i.id, i.loan_id, 'txn-' || i.loan_id || '-' || i.period, 'regular', i.principal_fen + i.interest_fen, i.principal_fen + i.interest_fen,
            jsonb_build_array(jsonb_build_object('period', i.period, 'feeFen', 0, 'interestFen', i.interest_fen, 'principalFen', i.principal_fen)), i.paid_off_at, 'api', i.paid_off_at
          from loan_instalments i where i.loan_id like 'loan\\_year%' and i.status = 'paid' returning 1)
      update loans l set status = 'settled', settled_at = x.last, overdue_stage = null
      from (select loan_id, max(paid_off_at) as last from loan_instalments where loan_id like 'loan\\_year%' group by loan_id having bool_and(status = 'paid')) x
      where l.id = x.loan_id`,
  );
  await db.execute(sql`update loans l set overdue_stage = 'reminder' where l.id like 'loan\\_year%' and l.status = 'active'
    and exists (select 1 from loan_instalments i where i.loan_id = l.id and i.status = 'overdue')`);
  await step(
    db,
    'complaints',
    sql`insert into complaints (id, consumer_id, consumer_name_masked, institution_id, application_id, category, subject, description, status, first_response_due_at, resolution_due_at, created_at, updated_at)
      select 'cmp_year' || lpad(n::text, 8, '0'), consumer_id, '用*', institution_id, id, 'approval', '审批进度', '申请提交后一直没有回复，想了解进度。', 'closed',
        created_at + interval '1 day', created_at + interval '7 days', created_at + interval '2 days', created_at + interval '2 days'
      from gen_apps where n % ${Math.max(1, Math.round(o.applications / 1500))} = 0`,
  );
  await db.execute(sql`drop table if exists gen_products, gen_consumers, gen_apps`);
  await step(db, 'analyze', sql`analyze`);
  log(`raw data loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  if (o.rollup) {
    const t = performance.now();
    const today = shanghaiDate(new Date());
    const result = await container.services.bi.rebuild(shiftDay(today, -(o.days - 1)), today, new Date());
    log(`rollups rebuilt for ${result.days} days (${result.rows} rows) in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }
}

/** A container on the given database (DATA_DIR for PGlite and the PII key; DATABASE_URL for PostgreSQL), no tickers. */
export async function openYearContainer(dataDir: string, databaseUrl?: string): Promise<Container> {
  const env: NodeJS.ProcessEnv = { LOG_LEVEL: 'warn', ...process.env, DATA_DIR: path.resolve(dataDir), NODE_ENV: 'test', SEED_DEMO: 'never' };
  if (databaseUrl) env.DATABASE_URL = databaseUrl;
  else delete env.DATABASE_URL;
  return createContainer(loadConfig(env));
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const { values } = parseArgs({
    options: {
      'data-dir': { type: 'string', default: './data/bench-year' },
      'database-url': { type: 'string' },
      events: { type: 'string', default: '1000000' },
      applications: { type: 'string', default: '100000' },
      loans: { type: 'string', default: '20000' },
      consumers: { type: 'string', default: '60000' },
      days: { type: 'string', default: '365' },
      'no-rollup': { type: 'boolean', default: false },
    },
  });
  const int = (name: 'events' | 'applications' | 'loans' | 'consumers' | 'days') => {
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer`);
    return n;
  };
  const o: YearOptions = { events: int('events'), applications: int('applications'), loans: int('loans'), consumers: int('consumers'), days: int('days'), rollup: !values['no-rollup'] };
  if (o.loans > o.applications) throw new Error('--loans cannot exceed --applications');
  const container = await openYearContainer(values['data-dir']!, values['database-url']);
  try {
    await generateYear(container, o);
  } finally {
    await container.close();
  }
}
