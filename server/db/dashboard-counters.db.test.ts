import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../test/support/app';
import { databaseTargets } from '../../test/support/database';
import { migrationsBefore } from '../../test/support/migrations';
import { queryRows, type Database, type DatabaseHandle } from './client';
import { withTransaction } from '../lib/tx';
import { ApplicationsRepository } from '../modules/applications/applications.repository';
import { LedgerRepository } from '../modules/settlement/ledger.repository';

/**
 * The dashboard's counters (migration 0052): the per-status application counts, the stale
 * leads read from them, and the receivable balances the database keeps as delta rows always equal a
 * fresh count of the raw rows — after the
 * migration's backfill of existing data, after random inserts, updates, deletes and rolled-back
 * transactions, after folding, and with concurrent writers and folds — on PGlite, and on the
 * PostgreSQL server when TEST_DATABASE_URL is set.
 */

const STATUSES = ['submitted', 'reviewing', 'approved', 'accepted', 'declined', 'rejected', 'withdrawn', 'expired'] as const;

/** A small deterministic generator (the same operations on every run). */
function random(seed: number) {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
}

/** `[key, count]` pairs as an object, keys in order: a fresh scan and a kept counter compare equal when they agree. */
function byKey(pairs: [string, number][]): Record<string, number> {
  return Object.fromEntries(pairs.sort());
}

async function freshStatusCounts(db: Database): Promise<Record<string, number>> {
  const rows = await queryRows<{ status: string; n: number }>(db, sql`select status, count(*)::int as n from applications group by status`);
  return byKey(rows.map((r) => [r.status, r.n]));
}
async function keptStatusCounts(db: Database): Promise<Record<string, number>> {
  const rows = await new ApplicationsRepository(db).countsByStatus();
  return byKey(rows.map((r) => [r.status, r.n]));
}
async function freshStale(db: Database): Promise<Record<string, number>> {
  const rows = await queryRows<{ id: string; n: number }>(
    db,
    sql`select institution_id as id, count(*)::int as n from applications where status = 'submitted' and first_response_at is null and created_at < now() - interval '24 hours' group by 1`,
  );
  return byKey(rows.map((r) => [r.id, r.n]));
}
async function keptStale(db: Database): Promise<Record<string, number>> {
  const rows = await new ApplicationsRepository(db).staleLeadCounts();
  return byKey(rows.map((r) => [r.institutionId, r.stale]));
}
async function freshReceivables(db: Database): Promise<Record<string, number>> {
  const rows = await queryRows<{ id: string; total: string }>(
    db,
    sql`select i.id, coalesce(sum(e.amount_fen), 0) as total from institutions i left join ledger_entries e on e.account = 'receivable:institution:' || i.id group by i.id`,
  );
  return byKey(rows.map((r) => [r.id, Number(r.total)]));
}
async function keptReceivables(db: Database): Promise<Record<string, number>> {
  const rows = await new LedgerRepository(db).receivablesByInstitution();
  return byKey(rows.map((r) => [r.institutionId, Number(r.total)]));
}

describe.each(databaseTargets())('dashboard counters on $name', (target) => {
  describe('the migration backfills existing data', () => {
    let handle: DatabaseHandle;
    beforeAll(async () => {
      handle = await target.openBare();
      await handle.migrate(migrationsBefore('_dashboard_counters'));
      // rows as an older version left them (referential checks off: only the counted columns matter here)
      await withTransaction(handle.db, async (tx) => {
        await tx.execute(sql`set local session_replication_role = replica`);
        await tx.execute(sql`insert into institutions (id, name, short_name, kind) values ('ins_c1', '计数一银行', '计数一', 'bank'), ('ins_c2', '计数二银行', '计数二', 'bank')`);
        await tx.execute(sql`insert into applications (id, consumer_id, product_id, institution_id, amount_fen, term_months, purpose, applicant_name_enc, applicant_city, status, created_at)
          select 'app_old' || g, 'acc_x', 'prd_x', case when g % 2 = 0 then 'ins_c1' else 'ins_c2' end, 100000, 12, '消费', '', '上海',
            (array['submitted','reviewing','approved','rejected','expired'])[1 + g % 5], now() - (g % 3) * interval '20 hours' from generate_series(1, 37) g`);
        await tx.execute(sql`insert into ledger_journals (id, source_key, kind, institution_id) values ('jnl_o1', 'cpl:app_old1', 'commission_accrual', 'ins_c1'), ('jnl_o2', 'payment:x', 'statement_payment', 'ins_c2')`);
        await tx.execute(sql`insert into ledger_entries (journal_id, account, amount_fen) values
          ('jnl_o1', 'receivable:institution:ins_c1', 1500), ('jnl_o1', 'revenue:commission:cpl', -1500),
          ('jnl_o2', 'receivable:institution:ins_c2', -700), ('jnl_o2', 'cash:bank_transfer', 700)`);
      });
      await handle.migrate();
    });
    afterAll(async () => {
      await handle?.close();
    });

    it('counts every application and receivable entry that was there before', async () => {
      expect(await keptStatusCounts(handle.db)).toEqual({ approved: 8, expired: 7, rejected: 7, reviewing: 8, submitted: 7 });
      expect(await keptStatusCounts(handle.db)).toEqual(await freshStatusCounts(handle.db));
      expect(await keptReceivables(handle.db)).toEqual({ ins_c1: 1500, ins_c2: -700 });
      // submitted (g % 5 = 0) 40 hours ago (g % 3 = 2): g = 5, 20, 35
      expect(await keptStale(handle.db)).toEqual({ ins_c1: 1, ins_c2: 2 });
      expect(await keptStale(handle.db)).toEqual(await freshStale(handle.db));
    });
  });

  describe('the triggers keep them', () => {
    let t: TestApp;
    let db: Database;
    let instA: string;
    let instB: string;
    let productA: string;
    let productB: string;
    let seq = 0;
    let journals = 0;

    beforeAll(async () => {
      t = await startTestApp({ database: await target.open() });
      db = t.container.database.db;
      instA = t.fixtures.institutionA.id;
      instB = t.fixtures.institutionB.id;
      productA = t.fixtures.institutionA.productId;
      productB = t.fixtures.institutionB.productId;
      await db.execute(sql`insert into accounts (id, kind, login_hash, login_enc, login_masked, password_hash, display_name, role)
        values ('acc_counter', 'consumer', 'counter-test:1', '', '138****0000', 'x', '借款人', 'consumer')`);
    }, 120_000);
    afterAll(async () => {
      await t?.close();
    });

    /** Inserts n applications in one statement; their ids. */
    const insertApps = async (d: Database, n: number, pick: () => number) => {
      const ids = Array.from({ length: n }, () => `app_cnt${++seq}`);
      const rows = ids.map((id) => {
        const a = pick() < 0.5;
        // submitted up to 48 hours ago, some already answered
        const hoursAgo = Math.floor(pick() * 48);
        const answered = pick() < 0.3;
        return sql`(${id}, 'acc_counter', ${a ? productA : productB}, ${a ? instA : instB}, 100000, 12, '消费', '', '上海', ${pick() < 0.4 ? 'submitted' : STATUSES[Math.floor(pick() * STATUSES.length)]},
          now() - ${hoursAgo} * interval '1 hour', ${answered ? sql`now()` : sql`null`})`;
      });
      await d.execute(sql`insert into applications (id, consumer_id, product_id, institution_id, amount_fen, term_months, purpose, applicant_name_enc, applicant_city, status, created_at, first_response_at)
        values ${sql.join(rows, sql`, `)}`);
      return ids;
    };
    const postReceivable = (d: Database, institutionId: string, fen: number) => {
      const id = `jnl_cnt${++journals}`;
      return withTransaction(d, async (tx) => {
        await tx.execute(sql`insert into ledger_journals (id, source_key, kind, institution_id) values (${id}, ${`adj:${id}`}, 'adjustment', ${institutionId})`);
        await tx.execute(sql`insert into ledger_entries (journal_id, account, amount_fen) values (${id}, ${`receivable:institution:${institutionId}`}, ${fen}), (${id}, 'revenue:adjustment', ${-fen})`);
      });
    };

    it('equal a fresh count after random inserts, updates, deletes, rollbacks and folds', async () => {
      const rnd = random(50);
      let staleSeen = false;
      for (let step = 0; step < 60; step++) {
        const op = rnd();
        if (op < 0.3) await insertApps(db, 1 + Math.floor(rnd() * 6), rnd);
        else if (op < 0.55) {
          const to = STATUSES[Math.floor(rnd() * STATUSES.length)]!;
          const from = STATUSES[Math.floor(rnd() * STATUSES.length)]!;
          await db.execute(sql`update applications set status = ${to} where id in (select id from applications where id like 'app_cnt%' and status = ${from} limit 3)`);
        } else if (op < 0.6) await db.execute(sql`update applications set updated_at = now() where id in (select id from applications where id like 'app_cnt%' limit 4)`);
        else if (op < 0.65) await db.execute(sql`update applications set first_response_at = now() where id in (select id from applications where id like 'app_cnt%' and first_response_at is null order by random() limit 3)`);
        else if (op < 0.75) await db.execute(sql`delete from applications where id in (select id from applications where id like 'app_cnt%' order by random() limit 2)`);
        else if (op < 0.82)
          await expect(
            withTransaction(db, async (tx) => {
              await insertApps(tx, 3, rnd);
              await tx.execute(sql`update applications set status = 'rejected' where id like 'app_cnt%'`);
              throw new Error('rolled back');
            }),
          ).rejects.toThrow('rolled back');
        else if (op < 0.92) await postReceivable(db, rnd() < 0.5 ? instA : instB, Math.floor(rnd() * 20_000) - 5_000 || 1);
        else await t.container.services.applications.foldStatusCounts();
        if (step % 5 === 4) {
          expect(await keptStatusCounts(db)).toEqual(await freshStatusCounts(db));
          const stale = await freshStale(db);
          expect(await keptStale(db)).toEqual(stale);
          staleSeen ||= Object.keys(stale).length > 0;
          expect(await keptReceivables(db)).toEqual(await freshReceivables(db));
        }
      }
      expect(await keptStatusCounts(db)).toEqual(await freshStatusCounts(db));
      expect(await keptStale(db)).toEqual(await freshStale(db));
      expect(staleSeen).toBe(true);
      expect(await keptReceivables(db)).toEqual(await freshReceivables(db));
    }, 120_000);

    it('folding leaves one row per institution and status, and per receivable, and changes no count', async () => {
      const before = { status: await keptStatusCounts(db), stale: await keptStale(db), receivables: await keptReceivables(db) };
      expect(await t.container.services.applications.foldStatusCounts()).toBeGreaterThan(0);
      expect(await t.container.services.settlement.foldReceivables()).toBeGreaterThan(0);
      const [rows] = await queryRows<{ statuses: number; status_rows: number; institutions: number; balance_rows: number }>(
        db,
        sql`select (select count(distinct (institution_id, status)) from application_status_counts)::int as statuses, (select count(*) from application_status_counts)::int as status_rows,
          (select count(distinct institution_id) from receivable_balances)::int as institutions, (select count(*) from receivable_balances)::int as balance_rows`,
      );
      expect(rows!.status_rows).toBe(rows!.statuses);
      expect(rows!.balance_rows).toBe(rows!.institutions);
      expect(await keptStatusCounts(db)).toEqual(before.status);
      expect(await keptStale(db)).toEqual(before.stale);
      expect(await keptReceivables(db)).toEqual(before.receivables);
    });

    it('stay exact with concurrent writers and folds', async () => {
      const rnd = random(7);
      const writer = async (w: number) => {
        for (let i = 0; i < 8; i++) {
          await withTransaction(db, async (tx) => {
            const ids = await insertApps(tx, 3, rnd);
            await tx.execute(sql`update applications set status = ${STATUSES[(w + i) % STATUSES.length]!} where id in (${sql.join(ids.slice(1), sql`, `)})`);
            if (i % 3 === 2) await tx.execute(sql`delete from applications where id = ${ids[0]!}`);
          });
          await postReceivable(db, w % 2 ? instA : instB, 100 + w);
        }
      };
      const folder = async () => {
        for (let i = 0; i < 6; i++) {
          await t.container.services.applications.foldStatusCounts();
          await t.container.services.settlement.foldReceivables();
        }
      };
      await Promise.all([...Array.from({ length: 6 }, (_, w) => writer(w)), folder(), folder()]);
      expect(await keptStatusCounts(db)).toEqual(await freshStatusCounts(db));
      expect(await keptStale(db)).toEqual(await freshStale(db));
      expect(await keptReceivables(db)).toEqual(await freshReceivables(db));
    }, 120_000);
  });
});
