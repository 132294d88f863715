import { applyRate, type Fen } from '../../lib/money';

export interface AgreementTerms {
  cpaFen: Fen;
  cpsRate: string;
}

export type CommissionEvent =
  | { type: 'approved'; applicationId: string }
  | { type: 'disbursed'; applicationId: string; disbursedAmountFen: Fen };

export interface CommissionCharge {
  rule: 'cpa' | 'cps';
  amountFen: Fen;
  sourceKey: string;
  memo: string;
}

/** What an event earns under an agreement. Pure: the ledger posting is done by the service. */
export function commissionFor(event: CommissionEvent, terms: AgreementTerms): CommissionCharge | null {
  if (event.type === 'approved') {
    if (terms.cpaFen <= 0) return null;
    return {
      rule: 'cpa',
      amountFen: terms.cpaFen,
      sourceKey: `commission:cpa:${event.applicationId}`,
      memo: `CPA 每笔审批通过 ${terms.cpaFen / 100} 元`,
    };
  }
  const amountFen = applyRate(event.disbursedAmountFen, terms.cpsRate);
  if (amountFen <= 0) return null;
  return {
    rule: 'cps',
    amountFen,
    sourceKey: `commission:cps:${event.applicationId}`,
    memo: `CPS 放款金额 × ${(Number(terms.cpsRate) * 100).toFixed(2)}%`,
  };
}
