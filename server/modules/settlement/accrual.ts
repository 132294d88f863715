import { newId } from '../../lib/ids';
import type { Fen } from '../../lib/money';
import type { Tx } from '../../lib/tx';
import { chargeFor, inForceAt, reversalKeyFor, shanghaiMonth, sourceKeyFor, withinReversalWindow, type CommissionEvent, type CommissionRule, type MonthToDate } from './commission';
import { accountNames, postJournal, postJournals, type JournalDraft } from './ledger';
import { AccrualRepository, type Accrual, type AccrualInsert } from './accrual.repository';
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

export type AccrualEvent = CommissionEvent & { institutionId: string; at: Date };

/**
 * A concurrent transaction accrued one of the batch's source keys under another month's lock
 * while the batch ran, after the batch had counted it toward a tier or cap of later events: the
 * transaction must be rolled back and the batch retried (the retry finds the accrual and skips it).
 */
export class ConcurrentAccrualError extends Error {
  constructor(sourceKey: string) {
    super(`commission ${sourceKey} was accrued concurrently; retry the batch`);
    this.name = 'ConcurrentAccrualError';
  }
}

/**
 * Accrues many events in the caller's transaction, with what it gives for each when called
 * once per event in the same order (exactly once per source event: `cpl:<applicationId>`, …): the institution+month locks are taken once each (in one
 * order), the existing accruals, the agreements and the month-to-date totals are read once, tiers
 * and caps advance in memory event by event, and the journals, their entries and the accruals are
 * written with one statement each. A duplicate source key (earlier, within the batch, or from a
 * concurrent transaction) posts nothing. Results are in event order; null where no agreement is
 * in force. `journals`: each accrual that earned something gets its own journal (`per-event`, the
 * default: the request path), or one journal per institution and month of the batch covers them
 * (`per-batch`: bulk sources; three rows fewer per event).
 */
export async function accrueBatch(tx: Tx, events: readonly AccrualEvent[], options: { journals?: JournalGrouping } = {}): Promise<(PostedCommission | null)[]> {
  if (events.length === 0) return [];
  const accruals = new AccrualRepository(tx);
  const keyed = events.map((event) => ({ event, sourceKey: sourceKeyFor(event.rule, event.applicationId), month: shanghaiMonth(event.at) }));
  const institutionIds = [...new Set(events.map((e) => e.institutionId))];
  const months = [...new Set(keyed.map((k) => k.month))];

  const locks = [...new Set(keyed.map((k) => JSON.stringify([k.event.institutionId, k.month])))].sort();
  for (const lock of locks) {
    const [institutionId, month] = JSON.parse(lock) as [string, string];
    await accruals.lockMonth(tx, institutionId, month);
  }
  const existing = new Map((await accruals.accrualsByKeys([...new Set(keyed.map((k) => k.sourceKey))])).map((a) => [a.sourceKey, a]));
  const versions = groupBy(await new AgreementsRepository(tx).ofInstitutions(institutionIds), (a) => a.institutionId);
  const totalKey = (institutionId: string, rule: string, month: string) => JSON.stringify([institutionId, rule, month]);
  const totals = new Map<string, MonthToDate>(
    (await accruals.monthTotals(institutionIds, months)).map((t) => [totalKey(t.institutionId, t.rule, t.month), { count: t.count, amountFen: t.amountFen }]),
  );

  // the accruals this batch creates, in event order, each with the totals key it advanced
  const fresh = new Map<string, { row: FreshAccrual; total: string; order: number }>();
  // per event: its source key, and whether this event is the one that creates the accrual
  const outcome: ({ sourceKey: string; creates: boolean } | null)[] = [];
  for (const { event, sourceKey, month } of keyed) {
    if (existing.has(sourceKey) || fresh.has(sourceKey)) {
      outcome.push({ sourceKey, creates: false });
      continue;
    }
    const agreement = inForceAt(versions.get(event.institutionId) ?? [], event.at);
    if (!agreement) {
      outcome.push(null);
      continue;
    }
    const total = totalKey(event.institutionId, event.rule, month);
    const toDate = totals.get(total) ?? { count: 0, amountFen: 0 };
    const charge = chargeFor(event, agreement, toDate);
    totals.set(total, { count: toDate.count + 1, amountFen: toDate.amountFen + charge.amountFen });
    fresh.set(sourceKey, {
      row: {
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
        journalId: null,
        memo: charge.memo,
      },
      total,
      order: fresh.size,
    });
    outcome.push({ sourceKey, creates: true });
  }

  const created = [...fresh.values()];
  const earned = created.filter(({ row }) => row.amountFen > 0).map(({ row }) => row);
  const drafts = options.journals === 'per-batch' ? batchJournals(earned) : earned.map(ownJournal);
  const posted = new Map((await postJournals(tx, drafts.map((d) => d.draft))).map((j) => [j.sourceKey, j.journalId]));
  // a journal left out was already posted for the source key: a concurrent call under another month's lock got there first
  for (const { draft, covers } of drafts) for (const row of covers) row.journalId = posted.get(draft.sourceKey) ?? null;
  const writable = created.filter(({ row }) => row.amountFen === 0 || row.journalId !== null);
  const inserted = await accruals.insertAccrualsOnce(
    tx,
    writable.map(({ row }) => row),
  );
  const lost = created.filter(({ row }) => !inserted.has(row.sourceKey));
  for (const { row, total, order } of lost) {
    // its journal would be left without an accrual, or later events of the batch counted it
    if (row.journalId !== null || created.some((c) => c.order > order && c.total === total)) throw new ConcurrentAccrualError(row.sourceKey);
  }
  if (lost.length > 0) for (const a of await accruals.accrualsByKeys(lost.map(({ row }) => row.sourceKey))) existing.set(a.sourceKey, a);

  return outcome.map((o) => {
    if (o === null) return null;
    const mine = fresh.get(o.sourceKey);
    if (mine && inserted.has(o.sourceKey)) return asPosted(mine.row as Accrual, o.creates);
    return asPosted(existing.get(o.sourceKey)!, false);
  });
}

type FreshAccrual = AccrualInsert & { journalId: string | null; memo: string };

/** A journal to post and the accruals it covers. */
interface CoveringJournal {
  draft: JournalDraft;
  covers: FreshAccrual[];
}

/** The accrual's own journal, keyed by the accrual's source key (what a request posts). */
function ownJournal(row: FreshAccrual): CoveringJournal {
  return {
    covers: [row],
    draft: {
      sourceKey: row.sourceKey,
      kind: `commission_${row.rule}`,
      institutionId: row.institutionId,
      applicationId: row.applicationId,
      agreementId: row.agreementId,
      memo: row.memo,
      entries: [
        { account: accountNames.institutionReceivable(row.institutionId), amountFen: row.amountFen },
        { account: accountNames.commissionRevenue(row.rule), amountFen: -row.amountFen },
      ],
    },
  };
}

/**
 * One journal per institution and month of the batch (`accruals:<batch id>:<institution>:<month>`,
 * kind `commission_batch`), with one entry pair per rule holding the sum of that rule's accruals:
 * the receivable debited, the rule's revenue credited. Each accrual references it.
 */
function batchJournals(rows: FreshAccrual[]): CoveringJournal[] {
  const batchId = newId('acb');
  return [...groupBy(rows, (r) => JSON.stringify([r.institutionId, r.month])).values()].map((covers) => {
    const { institutionId, month } = covers[0]!;
    const agreementIds = new Set(covers.map((r) => r.agreementId));
    const entries = (['cpl', 'cpa', 'cps'] as const).flatMap((rule) => {
      const sum = covers.reduce((n, r) => (r.rule === rule ? n + r.amountFen : n), 0);
      return sum === 0
        ? []
        : [
            { account: accountNames.institutionReceivable(institutionId), amountFen: sum },
            { account: accountNames.commissionRevenue(rule), amountFen: -sum },
          ];
    });
    return {
      covers,
      draft: {
        sourceKey: `accruals:${batchId}:${institutionId}:${month}`,
        kind: 'commission_batch',
        institutionId,
        agreementId: agreementIds.size === 1 ? covers[0]!.agreementId : undefined,
        memo: `批量计提 ${month}：${covers.length} 笔`,
        entries,
      },
    };
  });
}

/**
 * How `accrueBatch` posts to the ledger: `per-event` (the request path, and the default) gives every
 * accrual its own journal keyed by its source key; `per-batch` (bulk sources) one journal per
 * institution and month of the batch that the accruals reference.
 */
export type JournalGrouping = 'per-event' | 'per-batch';

function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
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
