import { z } from 'zod';
import { yuanAmount } from '../../validate';

/** A yuan amount that may be zero (interest and fees of an institution's schedule). */
const yuanOrZero = (label: string) => yuanAmount(label, 'non_negative');

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

