import { z } from 'zod';
import { yuanAmount } from '../../validate';

/** A bank transfer finance records against a statement (the page's 登记银行转账). */
export const bankTransferBody = z
  .object({
    /** yuan, at most two decimals */
    amount: yuanAmount('到账金额'),
    /** the Asia/Shanghai day the money arrived, not later than today */
    paidOn: z.iso.date({ error: '到账日期格式为 YYYY-MM-DD' }),
    reference: z.string({ error: '请填写银行流水号' }).trim().min(1, '请填写银行流水号').max(100, '流水号最多 100 字'),
    /** true to accept more than is outstanding; the excess is kept as the institution's credit */
    overpayment: z.boolean({ error: 'overpayment 须为 true 或 false' }).default(false),
    overpaymentReason: z.string({ error: '多付原因须为文字' }).max(200, '原因最多 200 字').default(''),
  })
  .strict();
