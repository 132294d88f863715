import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { CookieClient, csrfFrom } from './client';
import type { ApplyRecord, Borrower } from './load';
import { OPERATOR, PASSWORD, type Seeded } from './seed';
import { openDatabase } from '../../server/db/client';
import { drainAccruals } from '../../server/modules/settlement';

export interface Check {
  name: string;
  pass: boolean;
  /** the figures behind the verdict */
  detail: string;
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * Every acknowledged application exists once, with its lead (the application row, addressed to its
 * institution), its consent and one CPL accrual posted to the ledger; no borrower has two
 * applications for one product (whatever the retries did); whatever reached the database unacknowledged
 * belongs to a request the client was still unsure of.
 */
export async function checkExactlyOnce(databaseUrl: string, records: ApplyRecord[]): Promise<Check> {
  const acked = records.filter((r) => r.outcome === 'acked');
  const ackedIds = acked.flatMap((r) => r.applicationIds);
  const sent = new Set(records.flatMap((r) => r.productIds.map((p) => `${r.borrowerId}/${p}`)));
  const unsure = new Set(records.filter((r) => r.outcome !== 'acked').flatMap((r) => r.productIds.map((p) => `${r.borrowerId}/${p}`)));
  // the CPL of the last applications may still be queued for the worker's commission drainer:
  // accrue what is left (waiting for the drainer's batch in flight) before counting
  const drainer = await openDatabase({ url: databaseUrl, poolMax: 2 });
  try {
    await drainAccruals(drainer.db, { wait: true });
  } finally {
    await drainer.close();
  }
  return withClient(databaseUrl, async (db) => {
    const rows = (
      await db.query<{ id: string; consumer_id: string; product_id: string; institution_id: string; consent_ok: boolean; accruals: number; posted: number; accrued_fen: string }>(
        `select a.id, a.consumer_id, a.product_id, a.institution_id,
                exists (select 1 from consents c where c.id = a.consent_id and c.consumer_id = a.consumer_id and c.institution_id = a.institution_id) as consent_ok,
                (select count(*)::int from commission_accruals ca where ca.application_id = a.id and ca.rule = 'cpl') as accruals,
                (select count(*)::int from commission_accruals ca where ca.application_id = a.id and ca.rule = 'cpl' and ca.journal_id is not null) as posted,
                (select coalesce(sum(ca.amount_fen), 0)::text from commission_accruals ca where ca.application_id = a.id and ca.rule = 'cpl') as accrued_fen
           from applications a`,
      )
    ).rows;
    const byId = new Map(rows.map((r) => [r.id, r]));
    const missing = ackedIds.filter((id) => !byId.has(id));
    const ackedRows = ackedIds.map((id) => byId.get(id)).filter((r) => r !== undefined);
    const withoutConsent = ackedRows.filter((r) => !r.consent_ok).length;
    const accrualsWrong = ackedRows.filter((r) => r.accruals !== 1 || r.posted !== 1).length;
    const pairs = new Map<string, number>();
    for (const r of rows) pairs.set(`${r.consumer_id}/${r.product_id}`, (pairs.get(`${r.consumer_id}/${r.product_id}`) ?? 0) + 1);
    const duplicates = [...pairs.values()].filter((n) => n > 1).length;
    const ackedSet = new Set(ackedIds);
    const unacked = rows.filter((r) => !ackedSet.has(r.id));
    const strangers = unacked.filter((r) => !sent.has(`${r.consumer_id}/${r.product_id}`) || !unsure.has(`${r.consumer_id}/${r.product_id}`)).length;
    const accruedFen = ackedRows.reduce((sum, r) => sum + Number(r.accrued_fen), 0);
    const keys = (
      await db.query<{ key: string; status_code: number | null }>('select key, status_code from idempotency_keys where key = any($1)', [acked.map((r) => r.key)])
    ).rows;
    const keysStored = keys.filter((k) => k.status_code === 201).length;
    const pass = missing.length === 0 && withoutConsent === 0 && accrualsWrong === 0 && duplicates === 0 && strangers === 0 && keysStored === acked.length && ackedIds.length > 0;
    return {
      name: 'every acknowledged application exactly once, with lead, consent and commission',
      pass,
      detail:
        `${acked.length} acknowledged multi-applies → ${ackedIds.length} applications; in the database ${rows.length} ` +
        `(missing ${missing.length}, duplicates per borrower and product ${duplicates}, without consent ${withoutConsent}, ` +
        `without exactly one posted CPL accrual ${accrualsWrong}, CPL accrued ¥${(accruedFen / 100).toFixed(2)}); ` +
        `unacknowledged but present ${unacked.length} (of requests still in doubt: ${unacked.length - strangers}); ` +
        `idempotency keys stored with their 201: ${keysStored}/${acked.length}`,
    };
  });
}

/** Each scheduled or caught-up instant of each job ran once, and only the worker ran jobs (a web instance never does). */
export async function checkJobsOnce(databaseUrl: string, workerPids: number[]): Promise<Check> {
  return withClient(databaseUrl, async (db) => {
    const runs = (await db.query<{ job_name: string; scheduled_for: Date; trigger: string; instance_id: string }>(`select job_name, scheduled_for, trigger, instance_id from job_runs where trigger <> 'manual'`)).rows;
    const seen = new Map<string, number>();
    for (const r of runs) {
      const key = `${r.job_name}@${r.scheduled_for.toISOString()}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    const twice = [...seen.entries()].filter(([, n]) => n > 1).map(([k]) => k);
    // instance ids are host:pid:random
    const pidOf = (id: string) => Number(id.split(':').at(-2));
    const foreign = runs.filter((r) => !workerPids.includes(pidOf(r.instance_id)));
    return {
      name: 'no job ran twice',
      pass: twice.length === 0 && foreign.length === 0 && runs.length > 0,
      detail: `${runs.length} scheduled/catch-up runs of ${new Set(runs.map((r) => r.job_name)).size} jobs; instants run more than once: ${twice.length ? twice.join(', ') : 0}; runs by a process other than the worker: ${foreign.length}`,
    };
  });
}

/**
 * A borrower signed in before the kill reads their own applications through the proxy afterwards,
 * answered by each web instance in turn (the restarted one is a new process: it can only know the
 * session from Redis). No request of the run was refused as signed out.
 */
export async function checkSessions(borrowers: Borrower[], records: ApplyRecord[], killAtMs: number, webNames: string[]): Promise<Check> {
  const unauthorised = records.flatMap((r) => r.attempts).filter((a) => a.status === 401).length;
  const before = borrowers.filter((b) => records.some((r) => r.borrowerId === b.id && r.outcome === 'acked' && r.attempts[0]!.at < killAtMs)).slice(0, 3);
  const lines: string[] = [];
  let pass = before.length > 0 && unauthorised === 0;
  for (const borrower of before) {
    const expected = records.filter((r) => r.borrowerId === borrower.id && r.outcome === 'acked').flatMap((r) => r.applicationIds);
    const servedBy = new Map<string, number>();
    for (let i = 0; i < 12 && webNames.some((n) => !servedBy.has(n)); i++) {
      const res = await borrower.client.request('GET', '/api/v1/applications');
      const ids = new Set(((res.body as { items?: { id: string }[] }).items ?? []).map((a) => a.id));
      const ok = res.status === 200 && expected.every((id) => ids.has(id));
      if (!ok) {
        pass = false;
        lines.push(`${borrower.phone}: ${res.status} from ${res.servedBy}, ${expected.filter((id) => !ids.has(id)).length} of own ${expected.length} applications missing`);
        break;
      }
      servedBy.set(res.servedBy, (servedBy.get(res.servedBy) ?? 0) + 1);
    }
    const all = webNames.every((n) => servedBy.has(n));
    if (!all) pass = false;
    lines.push(`borrower ${borrower.phone} (login answered by ${borrower.loginServedBy}): own ${expected.length} applications read via ${[...servedBy].map(([n, c]) => `${n}×${c}`).join(', ')}`);
  }
  return {
    name: 'sessions survive the kill (one session answered by every web instance)',
    pass,
    detail: `${lines.join('; ')}; 401s during the run: ${unauthorised}`,
  };
}

const CATCH_UP = 'search index of the other instance caught up with a product change';

/** Whether `base`'s own search shows the pending product (an instance that is down shows nothing). */
async function searchShows(base: string, seeded: Seeded): Promise<boolean> {
  // literal: the name ends in a random code such as A174, which query understanding would read as an amount (¥174)
  const query = `/api/v1/products?q=${encodeURIComponent(seeded.pending.name)}&literal=true`;
  const res = await new CookieClient(base).request('GET', query).catch(() => undefined);
  return res?.status === 200 && ((res.body as { items?: { id: string }[] }).items ?? []).some((p) => p.id === seeded.pending.productId);
}

/**
 * An operator approves the pending product on one instance, through the admin pages (login form,
 * review page, approve with confirmation), calling the instance directly rather than via the proxy.
 * Returns when it was approved (performance.now()), or the reason it could not be.
 */
export async function approvePending(changeOn: string, seeded: Seeded): Promise<{ changedAt: number } | { error: string }> {
  try {
    const operator = new CookieClient(changeOn);
    const loginPage = await operator.request('GET', '/admin/login');
    const login = await operator.request('POST', '/admin/login', { form: { _csrf: csrfFrom(loginPage.text), username: OPERATOR, password: PASSWORD } });
    if (login.status !== 303 || login.location?.includes('/login')) throw new Error(`operator login: ${login.status} ${login.location ?? login.text.slice(0, 200)}`);
    const review = await operator.request('GET', `/admin/products/review/${seeded.pending.versionId}`);
    const approved = await operator.request('POST', `/admin/products/review/${seeded.pending.versionId}/approve`, { form: { _csrf: csrfFrom(review.text), comment: '扩容演练', confirm: 'yes' } });
    if (approved.status !== 303) throw new Error(`approving: ${approved.status} ${approved.text.slice(0, 300)}`);
    return { changedAt: performance.now() };
  } catch (err) {
    return { error: `on ${changeOn}: ${(err as Error).message}` };
  }
}

/** Before the change: the product must not show anywhere yet (it is in review). */
export async function showsBeforeApproval(bases: string[], seeded: Seeded): Promise<boolean> {
  return (await Promise.all(bases.map((b) => searchShows(b, seeded)))).some(Boolean);
}

/** After the change made on `changeOn`: polls `pollOn`'s own search (directly, not via the proxy) until the product shows. */
export async function checkCatalogueCatchUp(
  change: { changedAt: number } | { error: string },
  changeOn: string,
  pollOn: string,
  seeded: Seeded,
  timeoutMs: number,
): Promise<Check & { catchUpMs?: number; localMs?: number }> {
  if ('error' in change) return { name: CATCH_UP, pass: false, detail: `the operator's change failed ${change.error}` };
  let localMs: number | undefined;
  let catchUpMs: number | undefined;
  let polls = 0;
  while (performance.now() - change.changedAt < timeoutMs && catchUpMs === undefined) {
    polls++;
    if (localMs === undefined && (await searchShows(changeOn, seeded))) localMs = performance.now() - change.changedAt;
    if (await searchShows(pollOn, seeded)) catchUpMs = performance.now() - change.changedAt;
    else await sleep(500);
  }
  const s = (ms: number | undefined) => (ms === undefined ? `not within ${timeoutMs / 1000} s` : `${(ms / 1000).toFixed(1)} s`);
  return {
    name: CATCH_UP,
    pass: catchUpMs !== undefined,
    catchUpMs,
    localMs,
    detail: `operator approved "${seeded.pending.name}" on ${changeOn}; searchable there after ${s(localMs)}, on ${pollOn} after ${s(catchUpMs)} (${polls} polls of GET /api/v1/products?q=…; catalogue-sync ticks every 30 s)`,
  };
}
