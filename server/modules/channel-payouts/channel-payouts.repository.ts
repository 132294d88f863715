import { and, asc, desc, eq, gt, gte, inArray, isNull, like, lt, lte, ne, notExists, or, sql } from 'drizzle-orm';
import { queryRows, type Database } from '../../db/client';
import type { Tx } from '../../lib/tx';
import { accounts } from '../accounts/accounts.schema';
import { applications } from '../applications/applications.schema';
import { channelAttributions, channels } from '../channels/channels.schema';
import { riskFlags, riskSignals } from '../risk/risk.schema';
import { commissionAccruals, commissionReversals, ledgerEntries } from '../settlement/settlement.schema';
import {
  channelAdjustments,
  channelAgreements,
  channelLineDisputes,
  channelPayableReversals,
  channelPayables,
  channelPayments,
  channelPayoutExclusions,
  channelPayoutWatermarks,
  channelStatementLines,
  channelStatements,
} from './channel-payouts.schema';

export type ChannelAgreement = typeof channelAgreements.$inferSelect;
export type ChannelAgreementInsert = typeof channelAgreements.$inferInsert;
export type ChannelPayable = typeof channelPayables.$inferSelect;
export type ChannelPayableInsert = typeof channelPayables.$inferInsert;
export type ChannelPayableReversal = typeof channelPayableReversals.$inferSelect;
export type ChannelExclusion = typeof channelPayoutExclusions.$inferSelect;
export type ChannelExclusionInsert = typeof channelPayoutExclusions.$inferInsert;
export type ChannelStatementRow = typeof channelStatements.$inferSelect;
export type ChannelStatementLineRow = typeof channelStatementLines.$inferSelect;
export type ChannelLineDisputeRow = typeof channelLineDisputes.$inferSelect;
export type ChannelPaymentRow = typeof channelPayments.$inferSelect;

/** SQL of channel agreements, payables, exclusions, statements, disputes and payments. */
export class ChannelPayoutsRepository {
  constructor(private readonly db: Database) {}

  // ---- channels and agreements ---------------------------------------------------------------

  async lockChannel(tx: Tx, channelId: string): Promise<boolean> {
    const [row] = await tx.select({ id: channels.id }).from(channels).where(eq(channels.id, channelId)).for('update');
    return row !== undefined;
  }

  async channel(channelId: string, db: Database = this.db): Promise<{ id: string; name: string; code: string; status: string } | undefined> {
    const [row] = await db.select({ id: channels.id, name: channels.name, code: channels.code, status: channels.status }).from(channels).where(eq(channels.id, channelId));
    return row;
  }

  channelList(): Promise<{ id: string; name: string; code: string; status: string }[]> {
    return this.db.select({ id: channels.id, name: channels.name, code: channels.code, status: channels.status }).from(channels).orderBy(asc(channels.code));
  }

  agreementsOf(channelId: string, db: Database = this.db): Promise<ChannelAgreement[]> {
    return db.select().from(channelAgreements).where(eq(channelAgreements.channelId, channelId)).orderBy(desc(channelAgreements.version));
  }

  agreementsWithCreator(channelId: string): Promise<{ agreement: ChannelAgreement; createdByNameEnc: string | null }[]> {
    return this.db
      .select({ agreement: channelAgreements, createdByNameEnc: accounts.displayNameEnc })
      .from(channelAgreements)
      .leftJoin(accounts, eq(accounts.id, channelAgreements.createdBy))
      .where(eq(channelAgreements.channelId, channelId))
      .orderBy(desc(channelAgreements.version));
  }

  allAgreements(): Promise<ChannelAgreement[]> {
    return this.db.select().from(channelAgreements).orderBy(asc(channelAgreements.effectiveFrom));
  }

  async agreementById(id: string, db: Database = this.db): Promise<ChannelAgreement | undefined> {
    const [row] = await db.select().from(channelAgreements).where(eq(channelAgreements.id, id));
    return row;
  }

  async agreementInForce(channelId: string, at: Date, db: Database = this.db): Promise<ChannelAgreement | undefined> {
    const [row] = await db
      .select()
      .from(channelAgreements)
      .where(and(eq(channelAgreements.channelId, channelId), lte(channelAgreements.effectiveFrom, at), or(isNull(channelAgreements.effectiveTo), gt(channelAgreements.effectiveTo, at))))
      .orderBy(desc(channelAgreements.version))
      .limit(1);
    return row;
  }

  async insertAgreement(tx: Tx, row: ChannelAgreementInsert): Promise<ChannelAgreement> {
    const [created] = await tx.insert(channelAgreements).values(row).returning();
    return created!;
  }

  async endAgreement(tx: Tx, id: string, effectiveTo: Date): Promise<void> {
    await tx.update(channelAgreements).set({ effectiveTo }).where(eq(channelAgreements.id, id));
  }

  /** The longest reversal window of any agreement version, in days (0 without agreements). */
  async longestReversalWindow(): Promise<number> {
    const [row] = await this.db.select({ days: sql<number>`coalesce(max(${channelAgreements.reversalWindowDays}), 0)::int` }).from(channelAgreements);
    return row?.days ?? 0;
  }

  async earliestAgreementStart(): Promise<Date | undefined> {
    const [row] = await this.db.select({ at: sql<Date | null>`min(${channelAgreements.effectiveFrom})`.mapWith(channelAgreements.effectiveFrom) }).from(channelAgreements);
    return row?.at ?? undefined;
  }

  /** The balance of every channel's payable account (credit negative: what the platform owes). */
  async payableBalances(): Promise<Map<string, number>> {
    const rows = await this.db
      .select({ account: ledgerEntries.account, total: sql<string>`sum(${ledgerEntries.amountFen})` })
      .from(ledgerEntries)
      .where(like(ledgerEntries.account, 'payable:channel:%'))
      .groupBy(ledgerEntries.account);
    return new Map(rows.map((r) => [r.account.slice('payable:channel:'.length), Number(r.total)]));
  }

  // ---- watermark -----------------------------------------------------------------------------

  async watermark(name: string): Promise<Date | undefined> {
    const [row] = await this.db.select().from(channelPayoutWatermarks).where(eq(channelPayoutWatermarks.name, name));
    return row?.upTo;
  }

  /**
   * Moves the watermark from `from` (as the tick read it; undefined when there was none) to `to`,
   * only if nobody moved it meanwhile: a rewind by a new agreement version during the tick is kept.
   */
  async advanceWatermark(name: string, from: Date | undefined, to: Date): Promise<void> {
    if (from === undefined) {
      await this.db.insert(channelPayoutWatermarks).values({ name, upTo: to, updatedAt: to }).onConflictDoNothing();
      return;
    }
    await this.db
      .update(channelPayoutWatermarks)
      .set({ upTo: to, updatedAt: to })
      .where(and(eq(channelPayoutWatermarks.name, name), eq(channelPayoutWatermarks.upTo, from), lt(channelPayoutWatermarks.upTo, to)));
  }

  /** Moves the watermark back to `to` when it is later (a version that pays events already read). */
  async rewindWatermark(tx: Tx, name: string, to: Date): Promise<void> {
    await tx.update(channelPayoutWatermarks).set({ upTo: to }).where(and(eq(channelPayoutWatermarks.name, name), gt(channelPayoutWatermarks.upTo, to)));
  }

  // ---- payables ------------------------------------------------------------------------------

  /** One lock per channel and Asia/Shanghai month (advisory, to the end of the transaction): tiers and the cap read what every earlier payable left. */
  async lockMonth(tx: Tx, channelId: string, month: string): Promise<void> {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`chpay:${channelId}:${month}`}))`);
  }

  async payableByKey(sourceKey: string, db: Database = this.db): Promise<ChannelPayable | undefined> {
    const [row] = await db.select().from(channelPayables).where(eq(channelPayables.sourceKey, sourceKey));
    return row;
  }

  async exclusionByKey(sourceKey: string, db: Database = this.db): Promise<ChannelExclusion | undefined> {
    const [row] = await db.select().from(channelPayoutExclusions).where(eq(channelPayoutExclusions.sourceKey, sourceKey));
    return row;
  }

  /** Paid events of the rule in the channel's month and the month's total over every rule, reversed ones not counted. */
  async monthToDate(channelId: string, month: string, rule: string, db: Database = this.db): Promise<{ ruleCount: number; totalFen: number }> {
    const [row] = await db
      .select({
        ruleCount: sql<number>`count(*) filter (where ${channelPayables.rule} = ${rule})::int`,
        total: sql<string>`coalesce(sum(${channelPayables.amountFen}), 0)`,
      })
      .from(channelPayables)
      .where(
        and(
          eq(channelPayables.channelId, channelId),
          eq(channelPayables.month, month),
          notExists(db.select({ one: sql`1` }).from(channelPayableReversals).where(eq(channelPayableReversals.sourceKey, channelPayables.sourceKey))),
        ),
      );
    return { ruleCount: row!.ruleCount, totalFen: Number(row!.total) };
  }

  async insertPayableOnce(tx: Tx, row: ChannelPayableInsert): Promise<ChannelPayable | undefined> {
    const [inserted] = await tx.insert(channelPayables).values(row).onConflictDoNothing({ target: channelPayables.sourceKey }).returning();
    return inserted;
  }

  async insertExclusionOnce(tx: Tx, row: ChannelExclusionInsert): Promise<ChannelExclusion | undefined> {
    const [inserted] = await tx.insert(channelPayoutExclusions).values(row).onConflictDoNothing({ target: channelPayoutExclusions.sourceKey }).returning();
    return inserted;
  }

  async reversalOf(sourceKey: string, db: Database = this.db): Promise<ChannelPayableReversal | undefined> {
    const [row] = await db.select().from(channelPayableReversals).where(eq(channelPayableReversals.sourceKey, sourceKey));
    return row;
  }

  async insertReversalOnce(tx: Tx, row: typeof channelPayableReversals.$inferInsert): Promise<ChannelPayableReversal | undefined> {
    const [inserted] = await tx.insert(channelPayableReversals).values(row).onConflictDoNothing().returning();
    return inserted;
  }

  /** Which of these source keys already have a payable or an exclusion. */
  async knownKeys(keys: string[]): Promise<Set<string>> {
    const known = new Set<string>();
    for (let i = 0; i < keys.length; i += 1000) {
      const chunk = keys.slice(i, i + 1000);
      const [paid, excluded] = await Promise.all([
        this.db.select({ key: channelPayables.sourceKey }).from(channelPayables).where(inArray(channelPayables.sourceKey, chunk)),
        this.db.select({ key: channelPayoutExclusions.sourceKey }).from(channelPayoutExclusions).where(inArray(channelPayoutExclusions.sourceKey, chunk)),
      ]);
      for (const r of [...paid, ...excluded]) known.add(r.key);
    }
    return known;
  }

  /**
   * Open payables of events at or after `since` that may have to be reversed, in one query (a
   * superset; the service checks each with its evidence): the application withdrawn, the matching
   * commission reversed, a fraud flag on the account, its attribution's device on more than
   * `maxAccountsPerDevice` attributed accounts, or its registration among more than
   * `burstPerTenMinutes` of its channel and sub-ID within 10 minutes either side (registrations
   * since `since` − 10 minutes: older bursts were seen when their events were posted).
   */
  reversalCandidates(since: Date, limits: { maxAccountsPerDevice: number; burstPerTenMinutes: number }, fraudFlags: readonly string[]): Promise<ChannelPayable[]> {
    const p = channelPayables;
    const burstFrom = new Date(since.getTime() - 10 * 60_000);
    const commissionKey = sql`case ${p.rule} when 'commission_share' then ${p.sourceId} when 'approval' then 'cpa:' || ${p.applicationId} when 'disbursement' then 'cps:' || ${p.applicationId} when 'application' then 'cpl:' || ${p.applicationId} end`;
    return this.db
      .select()
      .from(p)
      .where(
        and(
          gte(p.eventAt, since),
          notExists(this.db.select({ one: sql`1` }).from(channelPayableReversals).where(eq(channelPayableReversals.sourceKey, p.sourceKey))),
          sql`(
            (${p.rule} in ('application', 'approval', 'disbursement') and exists (select 1 from ${applications} where ${applications.id} = ${p.applicationId} and ${applications.status} = 'withdrawn'))
            or exists (select 1 from ${commissionReversals} where ${commissionReversals.sourceKey} = ${commissionKey})
            or exists (select 1 from ${riskFlags} where ${riskFlags.accountId} = ${p.accountId} and ${riskFlags.code} in (${sql.join(fraudFlags.map((f) => sql`${f}`), sql`, `)}))
            or exists (
              select 1 from ${channelAttributions} where ${channelAttributions.accountId} = ${p.accountId} and ${channelAttributions.device} in (
                select d.device from ${channelAttributions} d where d.device <> '' group by d.device having count(distinct d.account_id) > ${limits.maxAccountsPerDevice}
              )
            )
            or ${p.accountId} in (
              select b.account_id from (
                select w.account_id, count(*) over (partition by w.channel_id, w.sub_id order by w.attributed_at range between interval '10 minutes' preceding and interval '10 minutes' following) as n
                from ${channelAttributions} w where w.attributed_at >= ${burstFrom}
              ) b where b.n > ${limits.burstPerTenMinutes}
            )
          )`,
        ),
      )
      .orderBy(asc(p.eventAt));
  }

  payablesOfChannel(channelId: string): Promise<(ChannelPayable & { reversed: boolean })[]> {
    return this.db
      .select({ p: channelPayables, r: channelPayableReversals.sourceKey })
      .from(channelPayables)
      .leftJoin(channelPayableReversals, eq(channelPayableReversals.sourceKey, channelPayables.sourceKey))
      .where(eq(channelPayables.channelId, channelId))
      .orderBy(asc(channelPayables.eventAt))
      .then((rows) => rows.map((r) => ({ ...r.p, reversed: r.r !== null })));
  }

  // ---- what makes an event invalid -----------------------------------------------------------

  /** The commission accruals of attributed borrowers' applications written in [from, to). */
  commissionAccrualsBetween(from: Date, to: Date): Promise<{ sourceKey: string; applicationId: string; amountFen: number; eventAt: Date; accountId: string; channelId: string; subId: string }[]> {
    return this.db
      .select({
        sourceKey: commissionAccruals.sourceKey,
        applicationId: commissionAccruals.applicationId,
        amountFen: commissionAccruals.amountFen,
        eventAt: commissionAccruals.eventAt,
        accountId: channelAttributions.accountId,
        channelId: channelAttributions.channelId,
        subId: channelAttributions.subId,
      })
      .from(commissionAccruals)
      .innerJoin(applications, eq(applications.id, commissionAccruals.applicationId))
      .innerJoin(channelAttributions, eq(channelAttributions.accountId, applications.consumerId))
      .where(and(gte(commissionAccruals.createdAt, from), lt(commissionAccruals.createdAt, to)))
      .orderBy(asc(commissionAccruals.eventAt));
  }

  async attribution(accountId: string, db: Database = this.db): Promise<typeof channelAttributions.$inferSelect | undefined> {
    const [row] = await db.select().from(channelAttributions).where(eq(channelAttributions.accountId, accountId));
    return row;
  }

  riskFlagsOf(accountId: string, until: Date, db: Database = this.db): Promise<{ code: string; createdAt: Date }[]> {
    return db
      .select({ code: riskFlags.code, createdAt: riskFlags.createdAt })
      .from(riskFlags)
      .where(and(eq(riskFlags.accountId, accountId), lte(riskFlags.createdAt, until)))
      .orderBy(asc(riskFlags.createdAt));
  }

  /** Distinct accounts seen on a device: attributed with that device key, or with a risk signal of its keyed hash. */
  async accountsOnDevice(device: string, deviceHash: string, db: Database = this.db): Promise<number> {
    const [row] = await queryRows<{ n: number }>(
      db,
      sql`select count(distinct account_id)::int as n from (
        select ${channelAttributions.accountId} as account_id from ${channelAttributions} where ${channelAttributions.device} = ${device}
        union
        select ${riskSignals.accountId} from ${riskSignals} where ${riskSignals.deviceHash} = ${deviceHash}
      ) x`,
    );
    return Number(row?.n ?? 0);
  }

  /** Registration times of one channel+sub in [from, to]. */
  async registrationTimes(channelId: string, subId: string, from: Date, to: Date, db: Database = this.db): Promise<Date[]> {
    const rows = await db
      .select({ at: channelAttributions.attributedAt })
      .from(channelAttributions)
      .where(and(eq(channelAttributions.channelId, channelId), eq(channelAttributions.subId, subId), gte(channelAttributions.attributedAt, from), lte(channelAttributions.attributedAt, to)));
    return rows.map((r) => r.at);
  }

  async applicationStatus(applicationId: string, db: Database = this.db): Promise<string | undefined> {
    const [row] = await db.select({ status: applications.status }).from(applications).where(eq(applications.id, applicationId));
    return row?.status;
  }

  async commissionReversal(sourceKey: string, db: Database = this.db): Promise<{ reason: string; reversedAt: Date } | undefined> {
    const [row] = await db.select({ reason: commissionReversals.reason, reversedAt: commissionReversals.reversedAt }).from(commissionReversals).where(eq(commissionReversals.sourceKey, sourceKey));
    return row;
  }

  // ---- statements ----------------------------------------------------------------------------

  async lockChannelStatements(tx: Tx, channelId: string): Promise<void> {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`chstm:${channelId}`}))`);
  }

  async statementIdFor(channelId: string, period: string, db: Database = this.db): Promise<string | undefined> {
    const [row] = await db.select({ id: channelStatements.id }).from(channelStatements).where(and(eq(channelStatements.channelId, channelId), eq(channelStatements.period, period)));
    return row?.id;
  }

  async insertStatement(tx: Tx, row: typeof channelStatements.$inferInsert): Promise<void> {
    await tx.insert(channelStatements).values(row);
  }

  async updateStatement(tx: Tx, id: string, set: Partial<typeof channelStatements.$inferInsert>): Promise<void> {
    await tx.update(channelStatements).set(set).where(eq(channelStatements.id, id));
  }

  async deleteStatement(tx: Tx, id: string): Promise<void> {
    await tx.delete(channelStatements).where(eq(channelStatements.id, id));
  }

  /** Channels with anything that may bill: an agreement. */
  async channelIdsWithAgreements(): Promise<string[]> {
    const rows = await this.db.selectDistinct({ id: channelAgreements.channelId }).from(channelAgreements);
    return rows.map((r) => r.id);
  }

  private unbilled(key: typeof channelPayables.sourceKey | typeof channelPayoutExclusions.sourceKey | typeof channelAdjustments.id | typeof channelPayableReversals.sourceKey, prefix: string, db: Database) {
    return notExists(db.select({ one: sql`1` }).from(channelStatementLines).where(eq(channelStatementLines.sourceKey, sql`${prefix} || ${key}`)));
  }

  /** Everything of the channel not yet on a statement whose month is `period` or earlier: payables, reversals, adjustments, exclusions. */
  async unbilledItems(channelId: string, period: string, db: Database = this.db) {
    const [payables, reversals, adjustments, exclusions] = await Promise.all([
      db
        .select()
        .from(channelPayables)
        .where(and(eq(channelPayables.channelId, channelId), lte(channelPayables.month, period), this.unbilled(channelPayables.sourceKey, '', db))),
      db
        .select({ p: channelPayables, r: channelPayableReversals })
        .from(channelPayableReversals)
        .innerJoin(channelPayables, eq(channelPayables.sourceKey, channelPayableReversals.sourceKey))
        .where(
          and(
            eq(channelPayables.channelId, channelId),
            lte(sql`to_char(${channelPayableReversals.reversedAt} at time zone 'Asia/Shanghai', 'YYYY-MM')`, period),
            this.unbilled(channelPayableReversals.sourceKey, 'rev:', db),
          ),
        ),
      db
        .select()
        .from(channelAdjustments)
        .where(and(eq(channelAdjustments.channelId, channelId), lte(channelAdjustments.month, period), this.unbilled(channelAdjustments.id, 'chadj:', db))),
      db
        .select()
        .from(channelPayoutExclusions)
        .where(and(eq(channelPayoutExclusions.channelId, channelId), lte(channelPayoutExclusions.month, period), this.unbilled(channelPayoutExclusions.sourceKey, 'excl:', db))),
    ]);
    return { payables, reversals, adjustments, exclusions };
  }

  async insertLines(tx: Tx, rows: (typeof channelStatementLines.$inferInsert)[]): Promise<void> {
    if (rows.length) await tx.insert(channelStatementLines).values(rows);
  }

  async lockStatement(tx: Tx, id: string): Promise<ChannelStatementRow | undefined> {
    const [row] = await tx.select().from(channelStatements).where(eq(channelStatements.id, id)).for('update');
    return row;
  }

  async statement(id: string, db: Database = this.db): Promise<ChannelStatementRow | undefined> {
    const [row] = await db.select().from(channelStatements).where(eq(channelStatements.id, id));
    return row;
  }

  statementsWithChannel(filter: { id?: string; channelId?: string; status?: string; excludeDrafts?: boolean }) {
    return this.db
      .select({ statement: channelStatements, channelName: channels.name, channelCode: channels.code })
      .from(channelStatements)
      .innerJoin(channels, eq(channels.id, channelStatements.channelId))
      .where(
        and(
          filter.id ? eq(channelStatements.id, filter.id) : undefined,
          filter.channelId ? eq(channelStatements.channelId, filter.channelId) : undefined,
          filter.status ? eq(channelStatements.status, filter.status as ChannelStatementRow['status']) : undefined,
          filter.excludeDrafts ? ne(channelStatements.status, 'draft') : undefined,
        ),
      )
      .orderBy(desc(channelStatements.period), asc(channels.code));
  }

  linesOf(statementId: string, db: Database = this.db): Promise<ChannelStatementLineRow[]> {
    return db.select().from(channelStatementLines).where(eq(channelStatementLines.statementId, statementId)).orderBy(asc(channelStatementLines.lineNo));
  }

  async line(lineId: number, db: Database = this.db): Promise<ChannelStatementLineRow | undefined> {
    const [row] = await db.select().from(channelStatementLines).where(eq(channelStatementLines.id, lineId));
    return row;
  }

  disputesOf(statementIds: string[], db: Database = this.db): Promise<ChannelLineDisputeRow[]> {
    if (statementIds.length === 0) return Promise.resolve([]);
    return db.select().from(channelLineDisputes).where(inArray(channelLineDisputes.statementId, statementIds));
  }

  async dispute(lineId: number, db: Database = this.db): Promise<ChannelLineDisputeRow | undefined> {
    const [row] = await db.select().from(channelLineDisputes).where(eq(channelLineDisputes.lineId, lineId));
    return row;
  }

  async insertDisputeOnce(tx: Tx, row: typeof channelLineDisputes.$inferInsert): Promise<boolean> {
    const inserted = await tx.insert(channelLineDisputes).values(row).onConflictDoNothing().returning({ lineId: channelLineDisputes.lineId });
    return inserted.length > 0;
  }

  async resolveDispute(tx: Tx, lineId: number, set: Pick<ChannelLineDisputeRow, 'resolution' | 'resolutionNote' | 'adjustmentId' | 'resolvedBy' | 'resolvedAt'>): Promise<void> {
    await tx.update(channelLineDisputes).set(set).where(eq(channelLineDisputes.lineId, lineId));
  }

  async openDisputeCount(statementId: string, db: Database = this.db): Promise<number> {
    const [row] = await db
      .select({ n: sql<number>`count(*)::int` })
      .from(channelLineDisputes)
      .where(and(eq(channelLineDisputes.statementId, statementId), isNull(channelLineDisputes.resolution)));
    return row!.n;
  }

  openDisputes() {
    return this.db
      .select({ dispute: channelLineDisputes, line: channelStatementLines, period: channelStatements.period, channelName: channels.name, channelId: channels.id })
      .from(channelLineDisputes)
      .innerJoin(channelStatementLines, eq(channelStatementLines.id, channelLineDisputes.lineId))
      .innerJoin(channelStatements, eq(channelStatements.id, channelLineDisputes.statementId))
      .innerJoin(channels, eq(channels.id, channelStatements.channelId))
      .where(isNull(channelLineDisputes.resolution))
      .orderBy(asc(channelLineDisputes.raisedAt));
  }

  async insertAdjustment(tx: Tx, row: typeof channelAdjustments.$inferInsert): Promise<void> {
    await tx.insert(channelAdjustments).values(row);
  }

  async paymentOf(statementId: string, db: Database = this.db): Promise<ChannelPaymentRow | undefined> {
    const [row] = await db.select().from(channelPayments).where(eq(channelPayments.statementId, statementId));
    return row;
  }

  paymentsOf(statementIds: string[]): Promise<ChannelPaymentRow[]> {
    if (statementIds.length === 0) return Promise.resolve([]);
    return this.db.select().from(channelPayments).where(inArray(channelPayments.statementId, statementIds));
  }

  async insertPayment(tx: Tx, row: typeof channelPayments.$inferInsert): Promise<ChannelPaymentRow> {
    const [inserted] = await tx.insert(channelPayments).values(row).returning();
    return inserted!;
  }
}
