import type { Database } from '../../db/client';
import { newId } from '../../lib/ids';
import { assertFen, type Fen } from '../../lib/money';
import type { Tx } from '../../lib/tx';
import { LedgerRepository, type EntryRow, type JournalRow } from './ledger.repository';

export interface JournalDraft {
  /** Unique per business event: the same event can never post twice. */
  sourceKey: string;
  kind: string;
  institutionId?: string;
  applicationId?: string;
  agreementId?: string;
  memo?: string;
  entries: { account: string; amountFen: Fen; currency?: string }[];
}

export interface PostResult {
  journalId: string;
  /** false when the source event had already been posted */
  posted: boolean;
}

export const accountNames = {
  institutionReceivable: (institutionId: string) => `receivable:institution:${institutionId}`,
  commissionRevenue: (rule: 'cpl' | 'cpa' | 'cps') => `revenue:commission:${rule}`,
  /** corrections agreed with an institution (disputes, reconciliation differences) */
  adjustments: 'revenue:commission:adjustment',
  /** money received: by Stripe or by bank transfer */
  cash: (method: 'stripe' | 'bank_transfer') => `cash:${method}`,
  /** what an institution paid beyond its statements (overpayments): owed back to it, or set against a later statement */
  institutionCredit: (institutionId: string) => `liability:institution-credit:${institutionId}`,
};

/** Sum of entries per currency must be zero; checked here and again by the database at commit. */
export function assertBalanced(entries: JournalDraft['entries']): void {
  if (entries.length < 2) throw new Error('a journal needs at least two entries');
  const totals = new Map<string, bigint>();
  for (const e of entries) {
    assertFen(e.amountFen);
    if (e.amountFen === 0) throw new Error('ledger entries cannot be zero');
    const currency = e.currency ?? 'CNY';
    totals.set(currency, (totals.get(currency) ?? 0n) + BigInt(e.amountFen));
  }
  for (const [currency, total] of totals) {
    if (total !== 0n) throw new Error(`journal does not balance in ${currency}: off by ${total}`);
  }
}

/** Posts a balanced journal exactly once per source key. Must run inside the caller's transaction. */
export async function postJournal(tx: Tx, draft: JournalDraft): Promise<PostResult> {
  const [posted] = await postJournals(tx, [draft]);
  if (posted) return { journalId: posted.journalId, posted: true };
  return { journalId: (await new LedgerRepository(tx).journalIdBySourceKey(draft.sourceKey))!, posted: false };
}

/**
 * Posts balanced journals, each exactly once per source key, with one statement for the journals
 * and one for their entries. Returns the journals posted now, in draft order; a source key that
 * was already posted (earlier, or by a concurrent transaction) is left out with its entries.
 * Must run inside the caller's transaction.
 */
export async function postJournals(tx: Tx, drafts: readonly JournalDraft[]): Promise<{ sourceKey: string; journalId: string }[]> {
  for (const draft of drafts) assertBalanced(draft.entries);
  if (new Set(drafts.map((d) => d.sourceKey)).size !== drafts.length) throw new Error('a source key can appear only once in a batch of journals');
  const ledger = new LedgerRepository(tx);
  const inserted = await ledger.insertJournalsOnce(
    tx,
    drafts.map((draft) => ({
      id: newId('jnl'),
      sourceKey: draft.sourceKey,
      kind: draft.kind,
      institutionId: draft.institutionId ?? null,
      applicationId: draft.applicationId ?? null,
      agreementId: draft.agreementId ?? null,
      memo: draft.memo ?? '',
    })),
  );
  const idOf = new Map(inserted.map((j) => [j.sourceKey, j.id]));
  const posted = drafts.flatMap((d) => (idOf.has(d.sourceKey) ? [{ draft: d, journalId: idOf.get(d.sourceKey)! }] : []));
  await ledger.insertEntries(
    tx,
    posted.flatMap(({ draft, journalId }) => draft.entries.map((e) => ({ journalId, account: e.account, amountFen: e.amountFen, currency: e.currency ?? 'CNY' }))),
  );
  return posted.map(({ draft, journalId }) => ({ sourceKey: draft.sourceKey, journalId }));
}

export type JournalWithEntries = JournalRow & { entries: EntryRow[] };

export async function journalsFor(db: Database, filter: { applicationId?: string; institutionId?: string }): Promise<JournalWithEntries[]> {
  const ledger = new LedgerRepository(db);
  const journals = await ledger.journals(filter);
  if (journals.length === 0) return [];
  const entries = await ledger.entriesOf(journals.map((j) => j.id));
  return journals.map((j) => ({ ...j, entries: entries.filter((e) => e.journalId === j.id) }));
}

/** Balance of one account (debits positive). */
export async function accountBalance(db: Database, account: string): Promise<Fen> {
  return Number(await new LedgerRepository(db).balance(account));
}
