import type { LoanDetail, LoanSummary, RepaymentResult } from '../../modules/loans';

const yuan = (fen: number) => fen / 100;

/** Loans as JSON (consumer and partner APIs): amounts in yuan. */
export function loanSummaryJson(l: LoanSummary) {
  return {
    id: l.id,
    applicationId: l.applicationId,
    product: { id: l.productId, name: l.productName },
    institution: { id: l.institutionId, name: l.institutionName },
    principal: yuan(l.principalFen),
    annualRate: Number(l.annualRate),
    termMonths: l.termMonths,
    method: l.method,
    status: l.status,
    disbursedAt: l.disbursedAt,
    scheduleSource: l.scheduleSource,
    overdueStage: l.overdueStage,
    principalOutstanding: yuan(l.principalOutstandingFen),
    totalOwed: yuan(l.totalOwedFen),
    overdue: yuan(l.overdueFen),
    daysOverdue: l.daysOverdue,
    nextDue: l.nextDue ? { period: l.nextDue.period, dueDate: l.nextDue.dueDate, amount: yuan(l.nextDue.amountFen) } : null,
  };
}

export function loanDetailJson(l: LoanDetail) {
  return {
    ...loanSummaryJson(l),
    schedule: l.instalments.map((i) => ({
      period: i.period,
      dueDate: i.dueDate,
      principal: yuan(i.principalFen),
      interest: yuan(i.interestFen - i.waivedInterestFen),
      fee: yuan(i.feeFen - i.waivedFeeFen),
      amount: yuan(i.amountFen),
      paid: yuan(i.paidFen),
      owed: yuan(i.owedFen),
      status: i.status,
    })),
    repayments: l.repayments.map((r) => ({
      id: r.id,
      transactionId: r.transactionId,
      kind: r.kind,
      amount: yuan(r.amountFen),
      allocated: yuan(r.allocatedFen),
      earlyFee: yuan(r.earlyFeeFen),
      excess: yuan(r.excessFen),
      paidAt: r.paidAt,
    })),
    earlySettlement: l.settlement
      ? {
          date: l.settlement.date,
          total: yuan(l.settlement.totalFen),
          due: yuan(l.settlement.dueFen),
          currentCharges: yuan(l.settlement.currentChargesFen),
          principal: yuan(l.settlement.principalFen),
          earlyFee: yuan(l.settlement.earlyFeeFen),
          waived: yuan(l.settlement.waivedInterestFen + l.settlement.waivedFeeFen),
        }
      : null,
    howToPay: l.howToPay,
  };
}

export function repaymentJson(r: RepaymentResult) {
  return {
    repayment: loanDetailJson(r.loan).repayments.find((x) => x.id === r.repayment.id) ?? { id: r.repayment.id },
    replayed: r.replayed,
    loan: loanDetailJson(r.loan),
  };
}

