import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { queryRows, type Database } from '../../db/client';
import { foldDeltas } from '../../db/fold-deltas';
import type { Tx } from '../../lib/tx';
import { institutions } from '../institutions/institutions.schema';
import { ledgerEntries, ledgerJournals, receivableBalances } from './settlement.schema';

export type JournalRow = typeof ledgerJournals.$inferSelect;
export type JournalInsert = typeof ledgerJournals.$inferInsert;
export type EntryRow = typeof ledgerEntries.$inferSelect;
export type EntryInsert = typeof ledgerEntries.$inferInsert;

/** SQL for the append-only ledger: journals, their entries, and account balances. */
export class LedgerRepository {
  constructor(private readonly db: Database) {}

  /** Inserts the journal unless its source key is already posted; its id when inserted. */
  async insertJournalOnce(tx: Tx, journal: JournalInsert): Promise<string | undefined> {
    const [inserted] = await tx
      .insert(ledgerJournals)
      .values(journal)
      .onConflictDoNothing({ target: ledgerJournals.sourceKey })
      .returning({ id: ledgerJournals.id });
    return inserted?.id;
  }

  /**
   * Inserts each journal unless its source key is already posted, in one statement (a JSON array
   * of rows); the source keys and ids of those inserted.
   */
  async insertJournalsOnce(tx: Tx, journals: JournalInsert[]): Promise<{ sourceKey: string; id: string }[]> {
    if (journals.length === 0) return [];
    const rows = journals.map((j) => ({
      id: j.id,
      source_key: j.sourceKey,
      kind: j.kind,
      institution_id: j.institutionId ?? null,
      application_id: j.applicationId ?? null,
      agreement_id: j.agreementId ?? null,
      memo: j.memo ?? '',
    }));
    return queryRows<{ sourceKey: string; id: string }>(
      tx,
      sql`insert into ledger_journals (id, source_key, kind, institution_id, application_id, agreement_id, memo)
          select id, source_key, kind, institution_id, application_id, agreement_id, memo
            from json_to_recordset(${JSON.stringify(rows)}::json)
                 as x(id text, source_key text, kind text, institution_id text, application_id text, agreement_id text, memo text)
          on conflict (source_key) do nothing
          returning source_key as "sourceKey", id`,
    );
  }

  async journalIdBySourceKey(sourceKey: string, db: Database = this.db): Promise<string | undefined> {
    const [row] = await db.select({ id: ledgerJournals.id }).from(ledgerJournals).where(eq(ledgerJournals.sourceKey, sourceKey));
    return row?.id;
  }

  /**
   * Inserts whole journals' entries in one statement (a JSON array of rows). The database checks
   * that every journal the statement touched balances when the statement ends (one check per
   * statement instead of one deferred check per row), so the rows must hold every entry of their
   * journals.
   */
  async insertEntries(tx: Tx, rows: EntryInsert[]): Promise<void> {
    if (rows.length === 0) return;
    const json = rows.map((e) => ({ journal_id: e.journalId, account: e.account, currency: e.currency ?? 'CNY', amount_fen: e.amountFen }));
    await tx.execute(sql`select set_config('ledger.balanced_per_statement', 'on', true)`);
    await tx.execute(sql`
      insert into ledger_entries (journal_id, account, currency, amount_fen)
      select journal_id, account, currency, amount_fen
        from json_to_recordset(${JSON.stringify(json)}::json) as x(journal_id text, account text, currency text, amount_fen bigint)`);
    await tx.execute(sql`select set_config('ledger.balanced_per_statement', 'off', true)`);
  }

  /** Journals of an application and/or institution, oldest first. */
  journals(filter: { applicationId?: string; institutionId?: string }): Promise<JournalRow[]> {
    return this.db
      .select()
      .from(ledgerJournals)
      .where(
        and(
          filter.applicationId ? eq(ledgerJournals.applicationId, filter.applicationId) : undefined,
          filter.institutionId ? eq(ledgerJournals.institutionId, filter.institutionId) : undefined,
        ),
      )
      .orderBy(asc(ledgerJournals.postedAt));
  }

  entriesOf(journalIds: string[]): Promise<EntryRow[]> {
    return this.db.select().from(ledgerEntries).where(inArray(ledgerEntries.journalId, journalIds)).orderBy(asc(ledgerEntries.id));
  }

  /** Balance of one account (debits positive), as the database's exact sum. */
  async balance(account: string): Promise<string> {
    const [row] = await this.db
      .select({ total: sql<string>`coalesce(sum(${ledgerEntries.amountFen}), 0)` })
      .from(ledgerEntries)
      .where(eq(ledgerEntries.account, account));
    return row?.total ?? '0';
  }

  /** Every institution with the balance of its receivable account, by name. */
  /** Every institution's receivable balance, from the balances the database keeps (migration 0052), not a sum over the ledger. */
  receivablesByInstitution(): Promise<{ institutionId: string; institutionName: string; total: string }[]> {
    return this.db
      .select({
        institutionId: institutions.id,
        institutionName: institutions.shortName,
        total: sql<string>`coalesce(sum(${receivableBalances.amountFen}), 0)`,
      })
      .from(institutions)
      .leftJoin(receivableBalances, eq(receivableBalances.institutionId, institutions.id))
      .groupBy(institutions.id, institutions.shortName)
      .orderBy(institutions.shortName);
  }

  /** Folds the receivable balances' delta rows into one per institution (the ticker). */
  foldReceivables(): Promise<number> {
    return foldDeltas(this.db, { table: 'receivable_balances', keys: ['institution_id'], sums: ['amount_fen'] });
  }

  /** Balances of every institution's receivable and credit accounts. */
  institutionBalances(): Promise<{ account: string; total: string }[]> {
    return this.db
      .select({ account: ledgerEntries.account, total: sql<string>`sum(${ledgerEntries.amountFen})` })
      .from(ledgerEntries)
      .where(sql`${ledgerEntries.account} like 'receivable:institution:%' or ${ledgerEntries.account} like 'liability:institution-credit:%'`)
      .groupBy(ledgerEntries.account);
  }
}
