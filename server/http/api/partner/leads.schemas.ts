import { z } from 'zod';
import { applicationStatuses, rejectReasons, pricingReasons, OFFER_DEFAULT_DAYS, OFFER_MAX_DAYS, OFFER_MIN_HOURS, type PricingReason } from '../../../modules/applications';
import { repaymentMethods } from '../../../modules/catalogue';
import { creditSelfAssessment, type CreditSelfAssessment } from '../../../modules/catalogue';
import { booleanFlag, intFrom, yuanAmount } from '../../validate';
import { applicantResponse, applicationResponse, documentResponse, instant } from '../responses';

/** An institution's work on its leads: status changes, the inbox filter, pre-screen rules, bulk actions. */

const note = z.string().trim().max(500, '备注最多 500 字').optional();

export const leadStatusBody = z.discriminatedUnion(
  'status',
  [
    z.strictObject({ status: z.literal('reviewing'), note }),
    z.strictObject({
      status: z.literal('approved'),
      offeredAmount: yuanAmount('批准金额'),
      offeredTermMonths: intFrom('批准期限', 1, 360),
      offeredApr: z.coerce
        .number({ error: '年化利率须为小数，如 0.1200' })
        .min(0, '年化利率不能为负')
        .max(0.36, '综合年化利率不得超过 36%')
        .transform((v) => v.toFixed(6)),
      repaymentMethod: z.enum(repaymentMethods, { error: '还款方式须为产品支持的方式' }).optional().describe('the product’s first method when absent'),
      expiresAt: z.coerce
        .date({ error: '有效期须为 ISO 时间，如 2026-12-31T23:59:59+08:00' })
        .optional()
        .describe(`when the offer lapses if the borrower has not accepted; ${OFFER_DEFAULT_DAYS} days when absent, ${OFFER_MIN_HOURS} hour to ${OFFER_MAX_DAYS} days ahead`),
      pricingReason: z
        .enum(Object.keys(pricingReasons) as [PricingReason, ...PricingReason[]], { error: '请选择定价原因' })
        .optional()
        .describe('required when offeredApr is above the product’s advertised range for the amount and term'),
      note,
    }),
    z.strictObject({
      status: z.literal('rejected'),
      reason: z.enum(Object.keys(rejectReasons) as [keyof typeof rejectReasons], { error: '请选择拒绝原因' }),
      note,
    }),
    z.strictObject({ status: z.literal('disbursed'), amount: yuanAmount('放款金额'), note }),
  ],
  { error: '状态须为 reviewing、approved、rejected 或 disbursed' },
);

const isoDay = z.iso.date({ error: '日期格式为 YYYY-MM-DD' });
export const leadFilterQuery = z.strictObject({
  status: z.enum(applicationStatuses, { error: '未知的状态' }).optional(),
  productId: z.string().max(40).optional(),
  from: isoDay.optional(),
  to: isoDay.optional(),
  minAmount: yuanAmount('最低金额').optional(),
  maxAmount: yuanAmount('最高金额').optional(),
  creditBand: z.enum(Object.keys(creditSelfAssessment) as [CreditSelfAssessment, ...CreditSelfAssessment[]], { error: '未知的信用档位' }).optional(),
  region: z.string().trim().max(20).optional(),
  q: z.string().trim().max(40).optional(),
  stale: booleanFlag.optional(),
  queue: z.enum(['normal', 'fast'], { error: '队列为 normal 或 fast' }).optional(),
});

export const prescreenRuleBody = z.strictObject({
  name: z.string({ error: '请填写规则名称' }).trim().min(1, '请填写规则名称').max(40, '最多 40 字'),
  field: z.enum(['creditScore', 'monthlyIncome', 'age', 'amount', 'city'], { error: '请选择字段' }),
  operator: z.enum(['>=', '>', '<=', '<', 'in', 'not_in'], { error: '请选择条件' }),
  value: z.string({ error: '请填写取值' }).trim().min(1, '请填写取值').max(200),
  action: z.enum(['fast_queue', 'manual', 'decline'], { error: '请选择动作' }),
  rejectReason: z.enum(Object.keys(rejectReasons) as [keyof typeof rejectReasons], { error: '请选择拒绝原因' }).optional(),
  priority: intFrom('优先级', 1, 1000).default(100),
});

export const bulkLeadBody = z.strictObject({
  ids: z.array(z.string().min(1).max(40)).min(1, '请至少选择一条线索').max(200, '一次最多处理 200 条'),
  status: z.enum(['reviewing', 'rejected'], { error: '批量操作只能开始审核或拒绝' }),
  reason: z.enum(Object.keys(rejectReasons) as [keyof typeof rejectReasons], { error: '请选择拒绝原因' }).optional(),
});

/* What the lead routes answer (a lead itself: ../responses.ts). */

/** The inbox: each lead as an application, with what the inbox sorts and flags by. */
export const leadListResponse = z.object({
  items: z.array(
    applicationResponse.extend({
      consentWithdrawn: z.boolean(),
      creditBand: z.string().nullable(),
      firstResponseAt: instant.nullable(),
      responseMinutes: z.number().nullable(),
      stale: z.boolean(),
    }),
  ),
});

export const leadDocumentsResponse = z.object({ items: z.array(documentResponse) });

export const leadRevealResponse = z.object({ applicant: applicantResponse.describe('the consented fields in clear') });

export const leadStatusResponse = applicationResponse.extend({
  commission: z.object({ rule: z.string(), amount: z.number().describe('yuan'), journalId: z.string() }).nullable().describe('what this change earned, once'),
  loan: z.object({ id: z.string(), href: z.string() }).nullable().describe('once disbursed'),
  review: z
    .object({ id: z.string(), status: z.literal('pending'), href: z.string() })
    .nullable()
    .describe('an approval above the institution’s threshold waits for a second reviewer (answered 202); null otherwise'),
});
