import { and, desc, eq, gt, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { txOf, write, type Tx, type WriteBatch } from '../../lib/tx';
import { riskFlags, riskSignals } from './risk.schema';

export type RiskFlagRow = typeof riskFlags.$inferSelect;
export type RiskFlagInsert = typeof riskFlags.$inferInsert;
export type RiskSignalInsert = typeof riskSignals.$inferInsert;

/** A flag with this code on the account (an SQL expression) in the last 24 hours: for a NOT EXISTS. */
function flaggedToday(accountId: SQL, code: RiskFlagRow['code']): SQL {
  return sql`select 1 from ${riskFlags} where ${riskFlags.accountId} = ${accountId} and ${riskFlags.code} = ${code} and ${riskFlags.createdAt} > now() - interval '24 hours'`;
}

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
        where not exists (${flaggedToday(sql`${accountId}::text`, code)})`,
    ]);
  }

  /**
   * One account's signals from one device, and the flags they raise, in one statement (added to
   * the caller's batch, or run at once): the counts are that statement's own reads, taken before
   * its signals land, so these signals are added to them. A registration and a submission both raise
   *  - shared_device, on every account that used the device and on this one, when more accounts
   *    than `maxAccountsPerDevice` used it (this one counted whether or not it used it before);
   * and a submission (`application` signals) also
   *  - application_burst, when the account's applications of the last 24 hours with these pass
   *    `maxApplicationsPerDay`;
   * each at most once a day per account and code, as `insertFlagOncePerDay`.
   */
  async recordSignals(
    target: Tx | WriteBatch,
    signals: RiskSignalInsert[],
    thresholds: { maxAccountsPerDevice: number; maxApplicationsPerDay: number },
  ): Promise<void> {
    if (signals.length === 0) return;
    const { accountId, deviceHash } = signals[0]!;
    const sharedDevice = sql`insert into ${riskFlags} (account_id, code, detail)
      select a.account_id, 'shared_device', jsonb_build_object('accounts', d.n, 'threshold', ${thresholds.maxAccountsPerDevice}::int)
      from (select count(distinct ${riskSignals.accountId}) filter (where ${riskSignals.accountId} <> ${accountId}) + 1 as n from ${riskSignals} where ${riskSignals.deviceHash} = ${deviceHash}) d
      cross join (select ${riskSignals.accountId} as account_id from ${riskSignals} where ${riskSignals.deviceHash} = ${deviceHash} union select ${accountId}::text) a
      where d.n > ${thresholds.maxAccountsPerDevice}::int and not exists (${flaggedToday(sql`a.account_id`, 'shared_device')})`;
    const writes = [txOf(target).insert(riskSignals).values(signals), sharedDevice];
    const applications = signals.filter((s) => s.kind === 'application').length;
    if (applications > 0) {
      writes.push(sql`insert into ${riskFlags} (account_id, code, detail)
        select ${accountId}, 'application_burst', jsonb_build_object('applications24h', c.n + ${applications}::int, 'threshold', ${thresholds.maxApplicationsPerDay}::int)
        from (select count(*) as n from ${riskSignals} where ${and(eq(riskSignals.accountId, accountId), eq(riskSignals.kind, 'application'), gt(riskSignals.createdAt, sql`now() - interval '24 hours'`))}) c
        where c.n + ${applications}::int > ${thresholds.maxApplicationsPerDay}::int and not exists (${flaggedToday(sql`${accountId}::text`, 'application_burst')})`);
    }
    // one write: the flags' counts must not see the signals inserted with them
    await write(target, writes);
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
