import { z } from 'zod';
import { declineReasons, type DeclineReason, type OfferView } from '../../../modules/applications';
import { instant } from '../responses';

/** The borrower's offers: figures fixed at approval, the state read from the application. */

export const offerResponse = z.object({
  applicationId: z.string(),
  productId: z.string(),
  productName: z.string(),
  institutionId: z.string(),
  institutionName: z.string(),
  state: z.enum(['pending', 'accepted', 'declined', 'expired', 'withdrawn', 'disbursed']),
  stateLabel: z.string(),
  amount: z.number().describe('yuan, two decimals'),
  termMonths: z.number().int(),
  repaymentMethod: z.string(),
  apr: z.number().describe('all-in APR (IRR with every fee), fraction'),
  firstPayment: z.number().describe('yuan'),
  totalRepayment: z.number().describe('yuan: every instalment'),
  totalCost: z.number().describe('yuan: interest plus fees'),
  advertisedApr: z.object({ low: z.number(), high: z.number() }).describe('what the product advertised for this amount, term and method'),
  aboveAdvertised: z.boolean().describe('above the advertised range: shown in red, with the institution’s reason'),
  pricingReason: z.string().nullable(),
  highCost: z.boolean().describe('above 24%: labelled'),
  expiresAt: instant,
  decidedAt: instant.nullable(),
  declineReason: z.string().nullable(),
  cheapest: z.boolean().describe('the lowest total cost among several waiting offers'),
});

export const offerListResponse = z.object({ items: z.array(offerResponse) });

export const acceptOfferBody = z.strictObject({ code: z.string({ error: '请输入短信验证码' }).trim().regex(/^\d{6}$/, '请输入 6 位短信验证码') });
export const declineOfferBody = z.strictObject({
  reason: z.enum(Object.keys(declineReasons) as [DeclineReason, ...DeclineReason[]], { error: '请从列表中选择原因' }).optional(),
});

const yuan = (fen: number) => fen / 100;

export function offerJson(o: OfferView): z.input<typeof offerResponse> {
  return {
    applicationId: o.applicationId,
    productId: o.productId,
    productName: o.productName,
    institutionId: o.institutionId,
    institutionName: o.institutionName,
    state: o.state,
    stateLabel: o.stateLabel,
    amount: yuan(o.amountFen),
    termMonths: o.termMonths,
    repaymentMethod: o.method,
    apr: o.apr,
    firstPayment: yuan(o.firstPaymentFen),
    totalRepayment: yuan(o.totalRepaymentFen),
    totalCost: yuan(o.totalCostFen),
    advertisedApr: { low: o.advertisedAprLow, high: o.advertisedAprHigh },
    aboveAdvertised: o.aboveAdvertised,
    pricingReason: o.pricingReason,
    highCost: o.highCost,
    expiresAt: o.expiresAt.toISOString(),
    decidedAt: o.decidedAt ? o.decidedAt.toISOString() : null,
    declineReason: o.declineReason,
    cheapest: o.cheapest,
  };
}
