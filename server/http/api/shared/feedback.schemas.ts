import { z } from 'zod';
import { complaintCategories, complaintStatuses } from '../../../modules/feedback';
import { intFrom } from '../../validate';

/** Complaints and reviews: filed by consumers, handled and moderated by operators. */

export const complaintBody = z.strictObject({
  category: z.enum(complaintCategories, { error: '请选择投诉类型' }),
  subject: z.string({ error: '请填写标题' }).trim().min(2, '标题至少 2 个字').max(60, '标题最多 60 字'),
  description: z.string({ error: '请描述问题' }).trim().min(10, '请至少用 10 个字描述问题').max(2000, '最多 2000 字'),
  // deliberately: an empty choice (the form's 「不涉及具体申请」, or `""` from an app) means no
  // application, as if the field were absent: the complaint is about the platform
  applicationId: z
    .string({ error: '申请编号须为文本' })
    .trim()
    .max(40, '申请编号无效')
    .transform((v) => v || undefined)
    .optional(),
});

export const complaintStatusBody = z.strictObject({
  status: z.enum(complaintStatuses, { error: '请选择状态' }),
  note: z.string().trim().max(500, '最多 500 字').optional(),
});

export const reviewBody = z.strictObject({
  rating: intFrom('评分', 1, 5),
  body: z.string({ error: '请填写评价' }).trim().min(5, '评价至少 5 个字').max(1000, '评价最多 1000 字'),
});

export const reviewModerationBody = z.strictObject({
  decision: z.enum(['approved', 'rejected'], { error: '请选择通过或拒绝' }),
  reason: z.string().trim().max(200, '最多 200 字').optional(),
});
