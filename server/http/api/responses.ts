import { z } from 'zod';

/**
 * Response bodies of the main API routes, for the OpenAPI document (the serializers in
 * ./serializers.ts write them; test/http/openapi-coverage.test.ts checks real answers against
 * these). Money in yuan (two decimals), rates as fractions, instants as ISO 8601 strings.
 */

const yuan = z.number().nullable().describe('yuan, two decimals');
const rate = z.number().nullable().describe('fraction: 0.12 = 12%');
const instant = z.string().describe('ISO 8601 instant');
const ref = z.object({ id: z.string(), name: z.string() });

export const accountResponse = z.object({
  account: z.object({
    id: z.string(),
    kind: z.enum(['consumer', 'institution', 'operator', 'channel']),
    role: z.string(),
    displayName: z.string(),
    login: z.string(),
    institutionId: z.string().nullable().optional(),
    mustChangePassword: z.boolean(),
  }),
});

export const productResponse = z.object({
  id: z.string(),
  name: z.string(),
  institution: ref.extend({ kind: z.string() }),
  category: z.string(),
  summary: z.string().nullable(),
  promoted: z.boolean().describe('boosted by a promotion running now (shown as 推广)'),
  apr: z.object({ min: z.number(), max: z.number(), above24: z.boolean() }).describe('all-in APR range (IRR method, every fee included)'),
  amount: z.object({ min: yuan, max: yuan }),
  termOptions: z.array(z.number().int()),
  rate: z.object({ min: rate, max: rate }).describe('nominal annual interest rate range, before fees'),
  fees: z.object({
    upfrontRate: rate,
    upfrontMode: z.string().nullable(),
    monthlyRate: rate,
    guaranteeRate: rate,
    insuranceRate: rate,
    earlyRepaymentRate: rate,
    earlyRepaymentFreeAfterMonths: z.number().int().nullable(),
    description: z.array(z.string()),
  }),
  repaymentMethods: z.array(z.string()),
  eligibility: z.object({
    minAge: z.number().int().nullable(),
    maxAge: z.number().int().nullable(),
    minMonthlyIncome: yuan,
    regions: z.array(z.string()).nullable(),
    employmentTypes: z.array(z.string()).nullable(),
    studentsExcluded: z.boolean().nullable(),
    minCreditScore: z.number().nullable(),
  }),
  requiredDocuments: z.array(z.string()).nullable(),
  tags: z.array(z.string()).nullable(),
  decisionMinutes: z.number().nullable(),
  disbursementHours: z.number().nullable(),
});

/** value → how many products match with it (each facet ignores its own filter) */
const facet = z.record(z.string(), z.number().int());

export const productListResponse = z.object({
  items: z.array(productResponse),
  total: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
  facets: z.object({ category: facet, institution: facet, repayment: facet }),
});

export const scheduleResponse = z.object({
  schedule: z.array(
    z.object({ period: z.number().int(), dueDate: z.string(), payment: yuan, principal: yuan, interest: yuan, fee: yuan, balance: yuan }),
  ),
  totalPrincipal: yuan,
  totalInterest: yuan,
  totalFees: yuan,
  totalPayment: yuan,
  netReceived: yuan,
  apr: z.number().describe('all-in APR (IRR), fraction'),
});

export const applicationResponse = z.object({
  id: z.string(),
  status: z.string(),
  statusLabel: z.string(),
  product: ref,
  institution: ref,
  amount: yuan,
  termMonths: z.number().int(),
  purpose: z.string().nullable(),
  applicant: z.object({ name: z.string().nullable(), city: z.string().nullable() }),
  offer: z.object({ amount: yuan, termMonths: z.number().int().nullable(), apr: rate }).nullable(),
  rejectReason: z.string().nullable(),
  disbursement: z.object({ amount: yuan, at: instant.nullable() }).nullable(),
  createdAt: instant,
  updatedAt: instant,
  timeline: z
    .array(z.object({ from: z.string().nullable(), to: z.string(), label: z.string(), actor: z.string(), note: z.string().nullable(), at: instant }))
    .optional()
    .describe('on one application, not in lists'),
  rejection: z
    .object({
      code: z.string().nullable().describe('the institution’s reason code (credit_score, income, debt_ratio, region, incomplete, policy) or null'),
      label: z.string(),
      meaning: z.string().describe('the reason in plain words'),
      advice: z.string(),
      alternatives: z
        .array(
          z.object({
            product: ref,
            institution: z.object({ name: z.string() }),
            odds: z.object({ band: z.string(), low: z.number(), high: z.number(), basis: z.string() }).describe('estimated approval odds (fractions)'),
          }),
        )
        .describe('products the borrower may apply for now at the amount asked, with better odds than the one that refused; best first, at most 5'),
    })
    .nullable()
    .optional()
    .describe('on one rejected application (null otherwise), not in lists'),
});

export const applicationListResponse = z.object({ items: z.array(applicationResponse) });

export const applyResponse = z.object({
  applications: z.array(applicationResponse),
  refused: z.array(z.object({ productId: z.string(), reasons: z.array(z.string()) }).loose()).describe('items not submitted, each with why'),
});

export const messageResponse = z.object({ id: z.string(), from: z.string(), body: z.string(), at: instant });
export const messageListResponse = z.object({ items: z.array(messageResponse) });

/* Shared by several surfaces: what ./serializers.ts and ./loans.serializers.ts write. */

/** a day, "2026-03-05" */
export const day = z.string().describe('YYYY-MM-DD');
const fen = z.number().int().describe('fen (integer)');
export { fen, instant, rate, ref, yuan };

export const itemsOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item) });

export const profileResponse = z.object({
  age: z.number().int().nullable(),
  city: z.string().nullable(),
  monthlyIncome: yuan,
  employment: z.string().nullable(),
  creditSelfAssessment: z.string().nullable(),
  housing: z.string().nullable(),
  monthlyDebt: yuan,
  updatedAt: instant.nullable(),
});

export const applicantResponse = z.object({
  realName: z.string().nullable(),
  phone: z.string().nullable(),
  idNumber: z.string().nullable(),
  age: z.number().int().nullable(),
  city: z.string().nullable(),
  employment: z.string().nullable(),
  monthlyIncome: yuan,
  housing: z.string().nullable(),
  monthlyDebt: yuan,
  creditSelfAssessment: z.string().nullable(),
  loan: z.object({ amount: yuan, termMonths: z.number().int(), purpose: z.string() }).nullable(),
});

export const leadResponse = applicationResponse.extend({
  nextStatuses: z.array(z.string()),
  consent: z.object({ id: z.string(), fields: z.array(z.string()), grantedAt: instant, withdrawnAt: instant.nullable() }).nullable(),
  applicant: applicantResponse.nullable().describe('the consented fields, masked'),
  contact: z
    .object({ allowSms: z.boolean(), allowCall: z.boolean(), allowInApp: z.boolean(), quietStart: z.string(), quietEnd: z.string(), blocked: z.boolean(), quietNow: z.boolean() })
    .nullable(),
  riskFlags: z.array(z.object({ code: z.string(), label: z.string(), createdAt: instant })),
});

export const journalResponse = z.object({
  id: z.string(),
  kind: z.string(),
  sourceKey: z.string(),
  memo: z.string().nullable(),
  postedAt: instant,
  entries: z.array(z.object({ account: z.string(), currency: z.string(), amount: yuan })),
});

export const complaintResponse = z.object({
  id: z.string(),
  category: z.string(),
  categoryLabel: z.string(),
  subject: z.string(),
  description: z.string(),
  status: z.string(),
  statusLabel: z.string(),
  institution: ref.nullable(),
  applicationId: z.string().nullable(),
  firstResponseDueAt: instant.nullable(),
  resolutionDueAt: instant.nullable(),
  firstRespondedAt: instant.nullable(),
  resolvedAt: instant.nullable(),
  closedAt: instant.nullable(),
  createdAt: instant,
  timeline: z
    .array(z.object({ kind: z.string(), from: z.string(), status: z.string().nullable(), body: z.string().nullable(), at: instant }))
    .optional()
    .describe('on one complaint, not in lists'),
});

const yuanAmount = z.number().describe('yuan, two decimals');

export const loanSummaryResponse = z.object({
  id: z.string(),
  applicationId: z.string(),
  product: ref,
  institution: ref,
  principal: yuanAmount,
  annualRate: z.number().describe('fraction'),
  termMonths: z.number().int(),
  method: z.string(),
  status: z.string(),
  disbursedAt: instant,
  scheduleSource: z.enum(['generated', 'institution']),
  overdueStage: z.string().nullable(),
  principalOutstanding: yuanAmount,
  totalOwed: yuanAmount,
  overdue: yuanAmount,
  daysOverdue: z.number().int(),
  nextDue: z.object({ period: z.number().int(), dueDate: day, amount: yuanAmount }).nullable(),
});

export const loanDetailResponse = loanSummaryResponse.extend({
  schedule: z.array(
    z.object({
      period: z.number().int(),
      dueDate: day,
      principal: yuanAmount,
      interest: yuanAmount,
      fee: yuanAmount,
      amount: yuanAmount,
      paid: yuanAmount,
      owed: yuanAmount,
      status: z.string(),
    }),
  ),
  repayments: z.array(repaymentResponse()),
  earlySettlement: z
    .object({ date: day, total: yuanAmount, due: yuanAmount, currentCharges: yuanAmount, principal: yuanAmount, earlyFee: yuanAmount, waived: yuanAmount })
    .nullable()
    .describe('paying the loan off today'),
  howToPay: z.object({ text: z.string(), url: z.string().nullable(), institutionName: z.string() }),
});

function repaymentResponse() {
  return z.object({
    id: z.string(),
    transactionId: z.string(),
    kind: z.string(),
    amount: yuanAmount,
    allocated: yuanAmount,
    earlyFee: yuanAmount,
    excess: yuanAmount,
    paidAt: instant,
  });
}

export const repaymentResultResponse = z.object({
  repayment: repaymentResponse(),
  replayed: z.boolean().describe('true when this transactionId was already recorded'),
  loan: loanDetailResponse,
});

/** A statement over the APIs: amounts in fen, `total` formatted in yuan. */
export const statementResponse = z.object({
  id: z.string(),
  period: z.string().describe('YYYY-MM'),
  status: z.string(),
  totalFen: fen,
  adjustmentsFen: fen,
  lateFen: fen,
  paidFen: fen,
  outstandingFen: fen,
  overpaidFen: fen,
  dueDate: day,
  subtotals: z.array(z.object({ rule: z.string(), count: z.number().int(), amountFen: fen })),
  lineCount: z.number().int(),
  closedAt: instant.nullable(),
  issuedAt: instant.nullable(),
  paidAt: instant.nullable(),
  total: z.string().describe('yuan, formatted'),
});

export const statementPaymentResponse = z.object({
  method: z.string(),
  amountFen: fen,
  paidAt: instant,
  reference: z.string().nullable(),
  overpaymentFen: fen,
  overpaymentReason: z.string().nullable(),
});

export const statementDetailResponse = statementResponse.extend({
  lines: z.array(
    z.object({
      id: z.number().int(),
      lineNo: z.number().int(),
      kind: z.string(),
      applicationId: z.string().nullable(),
      sourceKey: z.string(),
      rule: z.string().nullable(),
      eventAt: instant,
      eventMonth: z.string(),
      late: z.boolean(),
      amountFen: fen,
      description: z.string(),
      review: z.object({ decision: z.string(), reason: z.string().nullable(), resolution: z.string().nullable(), resolutionNote: z.string().nullable() }).nullable(),
    }),
  ),
  payments: z.array(statementPaymentResponse),
});

/** `{ id, kind, mime, size, sha256, createdAt }` of an uploaded document */
export const documentResponse = z.object({ id: z.string(), kind: z.string(), mime: z.string(), size: z.number().int(), sha256: z.string(), createdAt: instant });

/** What `inYuan` makes of a figures table: any `…Fen` field becomes yuan without the suffix. */
export const figures = z.record(z.string(), z.unknown()).describe('figures; amounts in yuan');
