import type { z } from 'zod';
import type { StatusChange } from '../modules/applications';
import type { leadStatusBody } from './api/partner/leads.schemas';

/** A validated lead status body (portal form or partner API) → the service's change. */
export function toStatusChange(body: z.output<typeof leadStatusBody>): StatusChange {
  switch (body.status) {
    case 'approved':
      return {
        status: 'approved',
        offeredAmountFen: body.offeredAmount,
        offeredTermMonths: body.offeredTermMonths,
        offeredApr: body.offeredApr,
        repaymentMethod: body.repaymentMethod,
        expiresAt: body.expiresAt,
        pricingReason: body.pricingReason,
        note: body.note,
      };
    case 'disbursed':
      return { status: 'disbursed', amountFen: body.amount, note: body.note };
    default:
      return body;
  }
}
