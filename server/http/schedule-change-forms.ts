import { z } from 'zod';
import { intFrom, yuanAmount } from './validate';

/** 展期 / 重新安排: the borrower's request (page form and consumer API). */
export const scheduleChangeRequestBody = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({ kind: z.literal('extension'), extraPeriods: intFrom('展期期数', 1, 36), reason: z.string({ error: '请说明原因' }).trim().min(2, '请说明原因（2–500 字）').max(500, '最多 500 字') }),
    z.strictObject({ kind: z.literal('restructure'), termMonths: intFrom('期数', 1, 360), reason: z.string({ error: '请说明原因' }).trim().min(2, '请说明原因（2–500 字）').max(500, '最多 500 字') }),
  ],
  { error: '请选择展期或重新安排还款计划' },
);

/** The institution's offer: periods for the outstanding principal, nominal rate (fraction), one-off fee (yuan). */
export const scheduleChangeOfferBody = z.strictObject({
  termMonths: intFrom('期数', 1, 360),
  annualRate: z.coerce
    .number({ error: '年利率须为小数，如 0.1200' })
    .min(0, '年利率不能为负')
    .max(0.36, '年利率不得超过 36%')
    .transform((v) => v.toFixed(6)),
  fee: yuanAmount('手续费', 'non_negative').optional().describe('one-off fee for the change, yuan; counted in the APR'),
});

export const scheduleChangeDeclineBody = z.strictObject({
  reason: z.string({ error: '请填写拒绝原因' }).trim().min(2, '请填写拒绝原因（2–500 字）').max(500, '最多 500 字'),
});
