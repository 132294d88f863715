import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, sqlState, type DatabaseHandle } from '../../db/client';
import { withTransaction } from '../../lib/tx';
import { databaseTargets } from '../../../test/support/database';
import { accountBalance, postJournal, postJournals } from './ledger';

describe.each(databaseTargets())('ledger on $name', (target) => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    handle = await target.open();
  });
  afterAll(() => handle?.close());

  const draft = (sourceKey: string, amount = 1_000) => ({
    sourceKey,
    kind: 'test',
    entries: [
      { account: `receivable:test:${sourceKey}`, amountFen: amount },
      { account: 'revenue:test', amountFen: -amount },
    ],
  });

  it('posts a balanced journal once per source key', async () => {
    const first = await withTransaction(handle.db, (tx) => postJournal(tx, draft('evt-1')));
    const again = await withTransaction(handle.db, (tx) => postJournal(tx, draft('evt-1')));
    expect(first.posted).toBe(true);
    expect(again).toEqual({ journalId: first.journalId, posted: false });
    expect(await accountBalance(handle.db, 'receivable:test:evt-1')).toBe(1_000);
  });

  it('posts once even when the same event is posted concurrently', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, () => withTransaction(handle.db, (tx) => postJournal(tx, draft('evt-race', 700)))),
    );
    const posted = results.filter((r) => r.status === 'fulfilled' && r.value.posted);
    expect(posted).toHaveLength(1);
    expect(await accountBalance(handle.db, 'receivable:test:evt-race')).toBe(700);
  });

  it('the database refuses an unbalanced journal at commit, even bypassing the code check', async () => {
    const attempt = withTransaction(handle.db, async (tx) => {
      await tx.execute(sql`insert into ledger_journals (id, source_key, kind) values ('jnl_bad', 'evt-bad', 'test')`);
      await tx.execute(sql`insert into ledger_entries (journal_id, account, amount_fen) values ('jnl_bad', 'x', 500), ('jnl_bad', 'y', -400)`);
    });
    await expect(attempt).rejects.toSatisfy((err: unknown) => sqlState(err) === '23514');
    const rows = await queryRows<{ n: number }>(handle.db, sql`select count(*)::int as n from ledger_journals where id = 'jnl_bad'`);
    expect(rows[0]!.n).toBe(0);
  });

  it('posts many journals at once, each once, and checks them per statement', async () => {
    const posted = await withTransaction(handle.db, (tx) => postJournals(tx, [draft('batch-1', 300), draft('evt-1'), draft('batch-2', 400)]));
    expect(posted.map((p) => p.sourceKey)).toEqual(['batch-1', 'batch-2']);
    expect(await accountBalance(handle.db, 'receivable:test:batch-2')).toBe(400);
    // with the per-statement check on (as postJournals sets it), an unbalanced statement is refused at once
    const attempt = withTransaction(handle.db, async (tx) => {
      await tx.execute(sql`insert into ledger_journals (id, source_key, kind) values ('jnl_bad_stmt', 'evt-bad-stmt', 'test'), ('jnl_ok_stmt', 'evt-ok-stmt', 'test')`);
      await tx.execute(sql`select set_config('ledger.balanced_per_statement', 'on', true)`);
      await tx.execute(sql`insert into ledger_entries (journal_id, account, amount_fen) values ('jnl_ok_stmt', 'x', 5), ('jnl_ok_stmt', 'y', -5), ('jnl_bad_stmt', 'x', 500), ('jnl_bad_stmt', 'y', -400)`);
    });
    await expect(attempt).rejects.toSatisfy((err: unknown) => sqlState(err) === '23514');
    // and an entry added by a later statement to a journal that balanced is checked again
    const later = withTransaction(handle.db, async (tx) => {
      await tx.execute(sql`select set_config('ledger.balanced_per_statement', 'on', true)`);
      await tx.execute(sql`insert into ledger_entries (journal_id, account, amount_fen) select id, 'z', 1 from ledger_journals where source_key = 'batch-1'`);
    });
    await expect(later).rejects.toSatisfy((err: unknown) => sqlState(err) === '23514');
    await expect(withTransaction(handle.db, (tx) => postJournals(tx, [draft('dup'), draft('dup')]))).rejects.toThrow(/only once/);
  });

  it('the database refuses UPDATE, DELETE and TRUNCATE on the ledger', async () => {
    await expect(handle.db.execute(sql`update ledger_entries set amount_fen = 1`)).rejects.toSatisfy((e: unknown) => sqlState(e) === '23001');
    await expect(handle.db.execute(sql`delete from ledger_entries`)).rejects.toSatisfy((e: unknown) => sqlState(e) === '23001');
    await expect(handle.db.execute(sql`delete from ledger_journals`)).rejects.toSatisfy((e: unknown) => sqlState(e) === '23001');
    await expect(handle.db.execute(sql`truncate ledger_entries cascade`)).rejects.toSatisfy((e: unknown) => sqlState(e) === '23001');
    expect(await accountBalance(handle.db, 'receivable:test:evt-1')).toBe(1_000);
  });

  it('every journal sums to zero', async () => {
    const rows = await queryRows(
      handle.db,
      sql`select journal_id, currency, sum(amount_fen)::bigint as total from ledger_entries group by 1, 2 having sum(amount_fen) <> 0`,
    );
    expect(rows).toEqual([]);
  });
});
