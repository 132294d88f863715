import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { CookieClient, errorCode } from './client';
import { ALL_FIELDS, PASSWORD, type SeededBorrower, type SeededProduct } from './seed';

export interface Borrower extends SeededBorrower {
  client: CookieClient;
  /** products not applied to yet, in the order this borrower will apply */
  unused: SeededProduct[];
  /** the instance that answered the login */
  loginServedBy: string;
}

export interface Attempt {
  /** ms since the load started */
  at: number;
  status: number | 'network';
  code?: string;
  servedBy: string;
  ms: number;
}

/** One multi-apply (three products, one consent per institution) under one Idempotency-Key, with all its attempts. */
export interface ApplyRecord {
  key: string;
  borrowerId: string;
  productIds: string[];
  attempts: Attempt[];
  /**
   * acked: a 2xx came back (first try or a retry with the same key);
   * in_doubt: an earlier attempt may have committed, and the retry found the products already applied to (409 nothing_submitted);
   * abandoned: the client's retry budget ran out; failed: a refusal that no retry can change
   */
  outcome: 'acked' | 'in_doubt' | 'abandoned' | 'failed';
  applicationIds: string[];
}

/** Logs every borrower in through the proxy (real logins: the sessions live in Redis). */
export async function logIn(proxyUrl: string, borrowers: SeededBorrower[], products: SeededProduct[], concurrency = 4): Promise<Borrower[]> {
  const out: Borrower[] = [];
  for (let i = 0; i < borrowers.length; i += concurrency) {
    const batch = borrowers.slice(i, i + concurrency);
    out.push(
      ...(await Promise.all(
        batch.map(async (b, j) => {
          const client = new CookieClient(proxyUrl);
          const res = await client.request('POST', '/api/v1/auth/login', { json: { phone: b.phone, password: PASSWORD } });
          if (res.status !== 200) throw new Error(`login of ${b.phone} through the proxy: ${res.status} ${res.text.slice(0, 300)}`);
          // each borrower walks the catalogue from another starting point
          const offset = ((i + j) * 7) % products.length;
          const unused = [...products.slice(offset), ...products.slice(0, offset)];
          return { ...b, client, unused, loginServedBy: res.servedBy };
        }),
      )),
    );
  }
  return out;
}

export interface LoadOptions {
  borrowers: Borrower[];
  /** multi-applies started per second */
  rate: number;
  durationMs: number;
  /** how long a client keeps retrying one key after its first attempt */
  retryForMs: number;
  productsPerApplication: number;
}

/** What the retry loop of a real client does with one answer. */
function classify(status: number | 'network', code: string | undefined): 'done' | 'retry' | 'in_doubt' | 'failed' {
  if (status === 'network' || status >= 500) return 'retry';
  if (status >= 200 && status < 300) return 'done';
  // the first request with this key is still marked in flight: by an instance that died, until the claim goes stale
  if (status === 409 && code === 'idempotency_in_flight') return 'retry';
  if (status === 409 && code === 'nothing_submitted') return 'in_doubt';
  return 'failed';
}

async function applyOnce(borrower: Borrower, products: SeededProduct[], started: number, options: LoadOptions): Promise<ApplyRecord> {
  const key = randomUUID();
  const institutions = [...new Set(products.map((p) => p.institutionId))];
  const body = {
    products: products.map((p) => ({ productId: p.id, amount: 50000, termMonths: 12 })),
    purpose: '装修',
    consents: institutions.map((institutionId) => ({ institutionId, fields: ALL_FIELDS })),
  };
  const record: ApplyRecord = { key, borrowerId: borrower.id, productIds: products.map((p) => p.id), attempts: [], outcome: 'abandoned', applicationIds: [] };
  const firstAt = performance.now();
  for (let n = 0; ; n++) {
    const at = performance.now() - started;
    let attempt: Attempt;
    let answerBody: unknown;
    try {
      const res = await borrower.client.request('POST', '/api/v1/applications', { json: body, headers: { 'idempotency-key': key } });
      attempt = { at, status: res.status, code: errorCode(res), servedBy: res.servedBy, ms: res.ms };
      answerBody = res.body;
    } catch {
      attempt = { at, status: 'network', servedBy: 'none', ms: performance.now() - started - at };
    }
    record.attempts.push(attempt);
    const verdict = classify(attempt.status, attempt.code);
    if (verdict === 'done') {
      record.outcome = 'acked';
      record.applicationIds = ((answerBody as { applications?: { id: string }[] }).applications ?? []).map((a) => a.id);
      return record;
    }
    if (verdict === 'in_doubt') {
      // a first attempt refused as duplicate is no doubt at all: the borrower had applied already (never here)
      record.outcome = n === 0 ? 'failed' : 'in_doubt';
      return record;
    }
    if (verdict === 'failed') {
      record.outcome = 'failed';
      return record;
    }
    if (performance.now() - firstAt > options.retryForMs) return record;
    // back off as an app would: 0.5 s, 1 s, 2 s, then every 2 s
    await sleep(Math.min(2_000, 500 * 2 ** Math.min(n, 2)));
  }
}

/**
 * Starts `rate` multi-applies a second for `durationMs` (steady, not as fast as possible), each
 * by the next borrower with products left, then waits for every one to finish its retries.
 */
export async function driveLoad(options: LoadOptions, started = performance.now()): Promise<ApplyRecord[]> {
  const pending: Promise<ApplyRecord>[] = [];
  const interval = 1000 / options.rate;
  let next = 0;
  for (let i = 0; ; i++) {
    const due = started + i * interval;
    if (due - started >= options.durationMs) break;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    let borrower: Borrower | undefined;
    for (let tries = 0; tries < options.borrowers.length && !borrower; tries++) {
      const candidate = options.borrowers[next++ % options.borrowers.length]!;
      if (candidate.unused.length >= options.productsPerApplication) borrower = candidate;
    }
    if (!borrower) throw new Error('every borrower has applied to every product: seed more borrowers or lower the rate');
    const products = borrower.unused.splice(0, options.productsPerApplication);
    pending.push(applyOnce(borrower, products, started, options));
  }
  return Promise.all(pending);
}
