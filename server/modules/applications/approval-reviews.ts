import type { Fen } from '../../lib/money';
import type { RepaymentMethod } from '../pricing';
import type { ApprovalReviewRow } from './approval-reviews.repository';
import type { ApprovalReviewStatus } from './approval-reviews.schema';
import type { PricingReason } from './offer-terms';
import type { StatusChange } from './applications.service';

/** A staff member (or an institution's API key) as named on a lead's timeline. */
export interface StaffRef {
  id: string;
  name: string;
}

export const approvalReviewStatusLabels: Record<ApprovalReviewStatus, string> = {
  pending: '待复核',
  confirmed: '复核通过',
  returned: '已退回',
};

/** A waiting or decided maker-checker approval as staff see it. */
export interface ApprovalReviewView {
  id: string;
  applicationId: string;
  amountFen: Fen;
  termMonths: number;
  apr: string;
  status: ApprovalReviewStatus;
  statusLabel: string;
  makerId: string;
  makerName: string;
  checkerId: string | null;
  checkerName: string | null;
  returnReason: string | null;
  createdAt: Date;
  decidedAt: Date | null;
}

type Approval = Extract<StatusChange, { status: 'approved' }>;

/** The approval as stored while it waits: the offer's validity is kept as a length, so it starts when the checker confirms. */
export function storedApproval(change: Approval, validForMs: number): Record<string, unknown> {
  const { expiresAt: _expiresAt, ...rest } = change;
  return { ...rest, validForMs };
}

/** The approval a confirmation applies: the maker's terms, the offer valid from now for the length the maker chose. */
export function approvalFromReview(review: ApprovalReviewRow, now: Date): Approval {
  const c = review.change;
  return {
    status: 'approved',
    offeredAmountFen: c.offeredAmountFen as Fen,
    offeredTermMonths: c.offeredTermMonths as number,
    offeredApr: c.offeredApr as string,
    repaymentMethod: c.repaymentMethod as RepaymentMethod | undefined,
    pricingReason: c.pricingReason as PricingReason | undefined,
    note: c.note as string | undefined,
    expiresAt: new Date(now.getTime() + Number(c.validForMs)),
  };
}

export function reviewView(row: ApprovalReviewRow): ApprovalReviewView {
  return {
    id: row.id,
    applicationId: row.applicationId,
    amountFen: row.amountFen,
    termMonths: Number(row.change.offeredTermMonths),
    apr: String(row.change.offeredApr),
    status: row.status,
    statusLabel: approvalReviewStatusLabels[row.status],
    makerId: row.makerId,
    makerName: row.makerName,
    checkerId: row.checkerId,
    checkerName: row.checkerName,
    returnReason: row.returnReason,
    createdAt: row.createdAt,
    decidedAt: row.decidedAt,
  };
}
