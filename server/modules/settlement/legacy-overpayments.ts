import type { Database } from '../../db/client';
import { withTransaction } from '../../lib/tx';
import { accountNames, postJournal } from './ledger';
import { StatementsRepository } from './statements.repository';

/**
 * Statements paid beyond their total before overpayments had to be declared: the excess was
 * credited to the institution's receivable in full. One balanced journal per such statement
 * (`overpayment:legacy:<statementId>`, posted once) moves the excess to the institution's credit,
 * where declared overpayments go, so the receivable again equals what was billed and not paid.
 * The statement itself shows the overpayment either way. Returns how many journals it posted.
 */
export async function reclassifyLegacyOverpayments(db: Database): Promise<number> {
  const rows = await new StatementsRepository(db).undeclaredExcessPayments();
  let posted = 0;
  for (const r of rows) {
    const excess = Number(r.excess);
    const result = await withTransaction(db, (tx) =>
      postJournal(tx, {
        sourceKey: `overpayment:legacy:${r.id}`,
        kind: 'overpayment_reclassified',
        institutionId: r.institution_id,
        memo: `${r.period} 结算单超额付款转为机构余额（升级前记录）`,
        entries: [
          { account: accountNames.institutionReceivable(r.institution_id), amountFen: excess },
          { account: accountNames.institutionCredit(r.institution_id), amountFen: -excess },
        ],
      }),
    );
    if (result.posted) posted += 1;
  }
  return posted;
}
