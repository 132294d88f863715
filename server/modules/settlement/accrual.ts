import { newId } from '../../lib/ids';
import type { Fen } from '../../lib/money';
import type { Tx } from '../../lib/tx';
import { chargeFor, reversalKeyFor, shanghaiMonth, sourceKeyFor, withinReversalWindow, type CommissionEvent, type CommissionRule } from './commission';
import { accountNames, postJournal } from './ledger';
import { AccrualRepository, type Accrual } from './accrual.repository';
import { AgreementsRepository, type Agreement } from './agreements.repository';

export type { Accrual, Agreement };

export interface PostedCommission {
  sourceKey: string;
  rule: CommissionRule;
  amountFen: Fen;
  agreementId: string;
  /** null when the event earned nothing (a cap was reached) */
  journalId: string | null;
  /** false when the source event had already accrued: nothing new was posted */
  posted: boolean;
}

export interface ReversalResult {
  sourceKey: string;
  outcome: 'reversed' | 'already_reversed' | 'outside_window';
  amountFen: Fen;
  journalId: string | null;
}

const asPosted = (a: Accrual, posted: boolean): PostedCommission => ({
  sourceKey: a.sourceKey,
  rule: a.rule,
  amountFen: a.amountFen,
  agreementId: a.agreementId,
  journalId: a.journalId,
  posted,
});

/**
 * Accrues the commission of one event, in the caller's transaction, under the agreement in force
 * at the event's time. Exactly once per source event (`cpl:<applicationId>`, …): a retry, a
 * duplicate or a concurrent call gets the existing accrual back and posts nothing. Returns null
 * when no agreement is in force.
 */
export async function accrue(
  tx: Tx,
  event: CommissionEvent & { institutionId: string; at: Date },
): Promise<PostedCommission | null> {
  const sourceKey = sourceKeyFor(event.rule, event.applicationId);
  const month = shanghaiMonth(event.at);
  const accruals = new AccrualRepository(tx);
  await accruals.lockMonth(tx, event.institutionId, month);
  const existing = await accruals.accrualByKey(sourceKey);
  if (existing) return asPosted(existing, false);
  const agreement = await new AgreementsRepository(tx).inForce(event.institutionId, event.at);
  if (!agreement) return null;

  const charge = chargeFor(event, agreement, await accruals.monthToDate(event.institutionId, event.rule, month));

  let journalId: string | null = null;
  if (charge.amountFen > 0) {
    const journal = await postJournal(tx, {
      sourceKey,
      kind: `commission_${event.rule}`,
      institutionId: event.institutionId,
      applicationId: event.applicationId,
      agreementId: agreement.id,
      memo: charge.memo,
      entries: [
        { account: accountNames.institutionReceivable(event.institutionId), amountFen: charge.amountFen },
        { account: accountNames.commissionRevenue(event.rule), amountFen: -charge.amountFen },
      ],
    });
    // only a call for the same event under another month's lock can get here second
    if (!journal.posted) return asPosted((await accruals.accrualByKey(sourceKey))!, false);
    journalId = journal.journalId;
  }
  const inserted = await accruals.insertAccrualOnce(tx, {
      id: newId('acr'),
      sourceKey,
      rule: event.rule,
      institutionId: event.institutionId,
      applicationId: event.applicationId,
      agreementId: agreement.id,
      eventAt: event.at,
      month,
      ordinal: charge.ordinal,
      baseAmountFen: event.baseAmountFen ?? null,
      amountFen: charge.amountFen,
      journalId,
    memo: charge.memo,
  });
  if (!inserted) return asPosted((await accruals.accrualByKey(sourceKey))!, false);
  return asPosted(inserted, true);
}

/**
 * Reverses an accrual when `at` is within its agreement's reversal window: a reversing journal
 * `rev:<sourceKey>` (nothing is updated or deleted) and a reversal record, once. The reversed
 * event no longer counts toward its month's tiers and caps. Returns null when there is no such
 * accrual.
 */
export async function reverse(
  tx: Tx,
  sourceKey: string,
  reason: string,
  options: { at: Date; actorId?: string | null },
): Promise<ReversalResult | null> {
  const accruals = new AccrualRepository(tx);
  const accrual = await accruals.accrualByKey(sourceKey);
  if (!accrual) return null;
  await accruals.lockMonth(tx, accrual.institutionId, accrual.month);
  const done = await accruals.reversalOf(sourceKey);
  if (done) return { sourceKey, outcome: 'already_reversed', amountFen: accrual.amountFen, journalId: done.journalId };
  const agreement = await new AgreementsRepository(tx).byId(accrual.agreementId);
  if (!withinReversalWindow(accrual.eventAt, options.at, agreement!.reversalWindowDays)) {
    return { sourceKey, outcome: 'outside_window', amountFen: accrual.amountFen, journalId: null };
  }
  let journalId: string | null = null;
  if (accrual.amountFen > 0) {
    const journal = await postJournal(tx, {
      sourceKey: reversalKeyFor(sourceKey),
      kind: 'commission_reversal',
      institutionId: accrual.institutionId,
      applicationId: accrual.applicationId,
      agreementId: accrual.agreementId,
      memo: `冲回 ${accrual.rule.toUpperCase()}：${reason}`,
      entries: [
        { account: accountNames.institutionReceivable(accrual.institutionId), amountFen: -accrual.amountFen },
        { account: accountNames.commissionRevenue(accrual.rule), amountFen: accrual.amountFen },
      ],
    });
    journalId = journal.journalId;
  }
  const inserted = await accruals.insertReversalOnce(tx, { sourceKey, reason, journalId, actorId: options.actorId ?? null, reversedAt: options.at });
  return { sourceKey, outcome: inserted ? 'reversed' : 'already_reversed', amountFen: accrual.amountFen, journalId };
}
