import type { Router } from 'express';
import { z } from 'zod';
import type { Services } from '../../container';
import type { LoanDetail, LoanSummary, RepaymentResult } from '../../modules/loans';
import { auditActor } from '../audit-actor';
import type { HttpKit } from '../kit';
import { parse, yuanAmount } from '../validate';

const yuan = (fen: number) => fen / 100;

/** A yuan amount that may be zero (interest and fees of an institution's schedule). */
const yuanOrZero = (label: string) =>
  z.union([z.string(), z.number()], { error: `${label}必填` }).transform((v, ctx) => {
    const m = /^(\d{1,12})(?:\.(\d{1,2}))?$/.exec(String(v).trim());
    if (!m) {
      ctx.addIssue({ code: 'custom', message: `${label}须为不小于 0 的金额，最多两位小数` });
      return z.NEVER;
    }
    return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
  });

export const repaymentBody = z.strictObject({
  transactionId: z.string({ error: '交易流水号必填' }).trim().min(1, '交易流水号必填').max(64, '交易流水号最多 64 位').regex(/^[A-Za-z0-9_\-:.]+$/, '交易流水号只能包含字母、数字和 -_:.'),
  amount: yuanAmount('还款金额'),
  paidAt: z.iso.datetime({ offset: true, error: '还款时间须为 ISO 8601，如 2026-03-01T10:00:00+08:00' }).optional(),
  settle: z.boolean({ error: '须为 true 或 false' }).optional(),
});

export const scheduleBody = z.strictObject({
  instalments: z
    .array(
      z.strictObject({
        dueDate: z.string({ error: '还款日必填' }).regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式为 YYYY-MM-DD'),
        principal: yuanOrZero('本金'),
        interest: yuanOrZero('利息'),
        fee: yuanOrZero('费用').optional(),
      }),
      { error: '请提供还款计划' },
    )
    .min(1, '至少需要一期')
    .max(360, '最多 360 期'),
});

export const loanListQuery = z.strictObject({
  status: z.enum(['active', 'settled'], { error: '状态须为 active 或 settled' }).optional(),
  overdue: z.enum(['1', 'true'], { error: 'overdue 须为 1' }).optional(),
});

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

function repaymentJson(r: RepaymentResult) {
  return {
    repayment: loanDetailJson(r.loan).repayments.find((x) => x.id === r.repayment.id) ?? { id: r.repayment.id },
    replayed: r.replayed,
    loan: loanDetailJson(r.loan),
  };
}

/** `/api/partner/v1/loans`: the institution's loans, its own schedule, and repayments it received. */
export function partnerLoanRoutes(r: Router, services: Services, kit: HttpKit): void {
  const manage = kit.guards.institution('api', 'loans.manage');

  r.get('/loans', manage, async (req, res) => {
    const q = parse(loanListQuery, req.query, '查询参数有误');
    const list = await services.loans.listForInstitution(req.institutionId!, { status: q.status, overdue: q.overdue !== undefined });
    res.json({ items: list.map(loanSummaryJson) });
  });

  r.get('/loans/:id', manage, async (req, res) => {
    res.json(loanDetailJson(await services.loans.getForInstitution(req.institutionId!, String(req.params.id))));
  });

  /** Replaces the generated schedule with the institution's own (only before any repayment). */
  r.post('/loans/:id/schedule', manage, async (req, res) => {
    const body = parse(scheduleBody, req.body, '还款计划有误');
    const lines = body.instalments.map((i, idx) => ({ period: idx + 1, dueDate: i.dueDate, principalFen: i.principal, interestFen: i.interest, feeFen: i.fee ?? 0 }));
    res.json(loanDetailJson(await services.loans.replaceSchedule(req.institutionId!, String(req.params.id), lines, auditActor(req))));
  });

  /** A repayment received: idempotent by `transactionId` (201 first time, 200 with `replayed: true` after). */
  r.post('/loans/:id/repayments', manage, async (req, res) => {
    const body = parse(repaymentBody, req.body, '还款信息有误');
    const result = await services.loans.recordRepayment(
      req.institutionId!,
      String(req.params.id),
      { transactionId: body.transactionId, amountFen: body.amount, paidAt: body.paidAt ? new Date(body.paidAt) : undefined, settle: body.settle },
      auditActor(req),
      'api',
    );
    res.status(result.replayed ? 200 : 201).json(repaymentJson(result));
  });
}

/** `/api/v1/loans`: the consumer's own loans. */
export function consumerLoanRoutes(r: Router, services: Services, kit: HttpKit): void {
  const consumer = kit.guards.consumer('api');
  r.get('/loans', consumer, async (req, res) => {
    res.json({ items: (await services.loans.listForConsumer(req.account!.id)).map(loanSummaryJson) });
  });
  r.get('/loans/:id', consumer, async (req, res) => {
    res.json(loanDetailJson(await services.loans.getForConsumer(req.account!.id, String(req.params.id))));
  });
}
