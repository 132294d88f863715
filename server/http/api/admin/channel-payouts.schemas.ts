import { z } from 'zod';
import { perEventRules, payoutRules } from '../../../modules/channel-payouts';
import { yuanAmount } from '../../validate';

/** `GET /channel-agreements?channelId=`: one channel's versions. */
export const channelAgreementsQuery = z.strictObject({ channelId: z.string({ error: '请指定渠道 channelId' }).min(1, '请指定渠道 channelId').max(64) });

/** A new version of a channel's agreement (the page's 新建版本). Amounts in yuan, at most two decimals. */
export const channelAgreementBody = z.strictObject({
  channelId: z.string({ error: '请指定渠道' }).min(1, '请指定渠道').max(64),
  perEvent: z
    .array(
      z.strictObject({
        rule: z.enum(perEventRules, { error: '未知的计费事件' }),
        /** yuan per event from the 1st of the month */
        amount: yuanAmount('单价', 'non_negative'),
        tiers: z
          .array(z.strictObject({ fromCount: z.number({ error: '阶梯笔数须为整数' }).int('阶梯笔数须为整数'), amount: yuanAmount('阶梯金额', 'non_negative') }))
          .max(20, '阶梯最多 20 级')
          .default([]),
      }),
    )
    .max(5)
    .default([]),
  /** percentage of the platform's commission, e.g. "10" or 12.5; "0" for none */
  sharePercent: z
    .union([z.string(), z.number()], { error: '佣金分成须为百分数' })
    .transform(String)
    .pipe(z.string().regex(/^\d{1,2}(\.\d{1,4})?$/, '佣金分成须为 0 至 100 之间的百分数，最多 4 位小数'))
    .default('0'),
  /** yuan per channel and month, all rules together; null for no cap */
  monthlyCap: yuanAmount('月度封顶').nullable().default(null),
  reversalWindowDays: z.number({ error: '冲回期限须为整数天数' }).int('冲回期限须为整数天数').default(30),
  /** Asia/Shanghai day the version starts (midnight) */
  effectiveFrom: z.iso.date({ error: '生效日期格式为 YYYY-MM-DD' }),
  effectiveTo: z.iso.date({ error: '失效日期格式为 YYYY-MM-DD' }).nullable().default(null),
  note: z.string().max(200, '备注最多 200 字').default(''),
});

const agreementResponse = z.object({
  id: z.string(),
  channelId: z.string(),
  version: z.number().int(),
  perEvent: z.array(z.object({ rule: z.enum(perEventRules), amountFen: z.number().int(), tiers: z.array(z.object({ fromCount: z.number().int(), amountFen: z.number().int() })) })),
  shareRate: z.string().describe('fraction, "0.1" = 10%'),
  monthlyCapFen: z.number().int().nullable(),
  reversalWindowDays: z.number().int(),
  effectiveFrom: z.string(),
  effectiveTo: z.string().nullable(),
  note: z.string(),
  terms: z.array(z.string()).describe('the terms in words'),
});
export const channelAgreementResponse = agreementResponse;
export const channelAgreementListResponse = z.object({ items: z.array(agreementResponse) });

const statementStatus = z.enum(['draft', 'issued', 'disputed', 'paid']);
export const channelStatementsQuery = z.strictObject({ channelId: z.string().max(64).optional(), status: statementStatus.optional() });

const summary = {
  id: z.string(),
  channelId: z.string(),
  channelName: z.string(),
  period: z.string(),
  status: statementStatus,
  totalFen: z.number().int(),
  paidFen: z.number().int(),
  lineCount: z.number().int(),
  excludedCount: z.number().int(),
  openDisputes: z.number().int(),
  closedAt: z.string(),
  issuedAt: z.string().nullable(),
  paidAt: z.string().nullable(),
};
export const channelStatementListResponse = z.object({ items: z.array(z.object(summary)) });
export const channelStatementResponse = z.object({
  ...summary,
  lines: z.array(
    z.object({
      id: z.number().int(),
      lineNo: z.number().int(),
      kind: z.enum(['payable', 'reversal', 'adjustment', 'excluded']),
      rule: z.enum(payoutRules).nullable(),
      subId: z.string(),
      eventAt: z.string(),
      amountFen: z.number().int(),
      late: z.boolean(),
      description: z.string().describe('for an excluded line, the evidence in words'),
      evidence: z.object({ code: z.enum(['risk_flag', 'shared_device', 'burst']), evidence: z.record(z.string(), z.unknown()) }).nullable(),
      dispute: z.object({ reason: z.string(), raisedAt: z.string(), resolution: z.enum(['adjusted', 'rejected']).nullable(), resolutionNote: z.string().nullable() }).nullable(),
    }),
  ),
  subtotals: z.object({
    rules: z.array(z.object({ rule: z.enum(payoutRules), label: z.string(), count: z.number().int().describe('paid events'), amountFen: z.number().int().describe('net of reversals') })),
    adjustmentsFen: z.number().int(),
    excluded: z.array(z.object({ code: z.enum(['risk_flag', 'shared_device', 'burst']), label: z.string(), count: z.number().int() })),
  }),
  payment: z.object({ amountFen: z.number().int(), paidAt: z.string(), reference: z.string() }).nullable(),
});

/** The platform's payment of a channel statement: exactly its total. */
export const channelPaymentBody = z.strictObject({
  amount: yuanAmount('付款金额'),
  paidOn: z.iso.date({ error: '付款日期格式为 YYYY-MM-DD' }),
  reference: z.string({ error: '请填写银行流水号' }).trim().min(1, '请填写银行流水号').max(100, '流水号最多 100 字'),
});

export const channelResolutionBody = z.discriminatedUnion(
  'action',
  [
    z.strictObject({ action: z.literal('accept'), amount: yuanAmount('调整金额', 'any'), note: z.string({ error: '请填写处理说明' }).max(500) }),
    z.strictObject({ action: z.literal('reject'), note: z.string({ error: '请填写处理说明' }).max(500) }),
  ],
  { error: 'action 须为 accept 或 reject' },
);
export const channelResolutionResponse = z.object({ adjustmentId: z.string().nullable(), statement: channelStatementResponse });
