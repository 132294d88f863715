import { and, count, countDistinct, desc, eq, gt, sql } from 'drizzle-orm';
import { queryRows, type Database } from '../../db/client';
import { txOf, write, type Tx, type WriteBatch } from '../../lib/tx';
import { riskFlags, riskSignals } from './risk.schema';

export type RiskFlagRow = typeof riskFlags.$inferSelect;
export type RiskFlagInsert = typeof riskFlags.$inferInsert;
export type RiskSignalInsert = typeof riskSignals.$inferInsert;

/** SQL for anti-fraud signals and flags. Reads take the database (or the caller's transaction); writes take the caller's transaction. */
export class RiskRepository {
  constructor(private readonly db: Database) {}

  /**
   * A flag, unless the account got one with this code in the last 24 hours: one statement (the
   * check is its WHERE), so it can go with a submission's write batch. In a batch the check sees
   * the flags as they were before the batch.
   */
  async insertFlagOncePerDay(target: Tx | WriteBatch, row: { accountId: string; code: RiskFlagRow['code']; detail: Record<string, unknown> }): Promise<void> {
    const { accountId, code, detail } = row;
    await write(target, [
      sql`insert into ${riskFlags} (account_id, code, detail)
        select ${accountId}, ${code}, ${JSON.stringify(detail)}::jsonb
        where not exists (select 1 from ${riskFlags} where ${and(eq(riskFlags.accountId, accountId), eq(riskFlags.code, code), gt(riskFlags.createdAt, sql`now() - interval '24 hours'`))})`,
    ]);
  }

  async insertSignals(tx: Tx | WriteBatch, rows: RiskSignalInsert[]): Promise<void> {
    await write(tx, [txOf(tx).insert(riskSignals).values(rows)]);
  }

  /** How many accounts used this device. */
  async accountsOnDevice(deviceHash: string, db: Database = this.db): Promise<number> {
    const [row] = await db.select({ n: countDistinct(riskSignals.accountId) }).from(riskSignals).where(eq(riskSignals.deviceHash, deviceHash));
    return row?.n ?? 0;
  }

  /** The accounts that used this device. */
  async accountIdsOnDevice(deviceHash: string, db: Database = this.db): Promise<string[]> {
    const rows = await db.selectDistinct({ accountId: riskSignals.accountId }).from(riskSignals).where(eq(riskSignals.deviceHash, deviceHash));
    return rows.map((r) => r.accountId);
  }

  /**
   * What a submission checks, in one query: `accountsOnDevice` (counting this account, whether or
   * not it used the device before) and `applicationsToday`.
   */
  async submissionCounts(deviceHash: string, accountId: string, db: Database): Promise<{ accountsOnDevice: number; applicationsToday: number }> {
    const accountsOnDevice = db
      .select({ n: sql`count(distinct ${riskSignals.accountId}) filter (where ${riskSignals.accountId} <> ${accountId}) + 1` })
      .from(riskSignals)
      .where(eq(riskSignals.deviceHash, deviceHash));
    const applicationsToday = db
      .select({ n: count() })
      .from(riskSignals)
      .where(and(eq(riskSignals.accountId, accountId), eq(riskSignals.kind, 'application'), gt(riskSignals.createdAt, sql`now() - interval '24 hours'`)));
    const [row] = await queryRows<{ devices: string | number; today: string | number }>(db, sql`select (${accountsOnDevice}) as devices, (${applicationsToday}) as today`);
    return { accountsOnDevice: Number(row?.devices ?? 0), applicationsToday: Number(row?.today ?? 0) };
  }

  /** How many applications the account submitted in the last 24 hours. */
  async applicationsToday(accountId: string, db: Database = this.db): Promise<number> {
    const [row] = await db
      .select({ n: count() })
      .from(riskSignals)
      .where(and(eq(riskSignals.accountId, accountId), eq(riskSignals.kind, 'application'), gt(riskSignals.createdAt, sql`now() - interval '24 hours'`)));
    return row?.n ?? 0;
  }

  /** The account's flags, newest first. */
  flagsOf(accountId: string): Promise<RiskFlagRow[]> {
    return this.db.select().from(riskFlags).where(eq(riskFlags.accountId, accountId)).orderBy(desc(riskFlags.createdAt));
  }

  /** The newest flags of everyone. */
  recentFlags(limit: number): Promise<RiskFlagRow[]> {
    return this.db.select().from(riskFlags).orderBy(desc(riskFlags.createdAt)).limit(limit);
  }
}
