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
    kind: z.enum(['consumer', 'institution', 'operator']),
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
});

export const applicationListResponse = z.object({ items: z.array(applicationResponse) });

export const applyResponse = z.object({
  applications: z.array(applicationResponse),
  refused: z.array(z.object({ productId: z.string(), reasons: z.array(z.string()) }).loose()).describe('items not submitted, each with why'),
});

export const messageResponse = z.object({ id: z.string(), from: z.string(), body: z.string(), at: instant });
export const messageListResponse = z.object({ items: z.array(messageResponse) });
