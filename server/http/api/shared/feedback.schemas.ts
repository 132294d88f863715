import { z } from 'zod';
import { complaintCategories, complaintStatuses, feedbackCategories, feedbackStatuses } from '../../../modules/feedback';
import { localPath } from '../../../lib/local-path';
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

/** 意见反馈: the form's (and the API's multipart) text fields; the screenshot comes as the file. */
export const feedbackBody = z.strictObject({
  category: z.enum(feedbackCategories, { error: '请选择反馈类型' }),
  body: z.string({ error: '请填写反馈内容' }).trim().min(5, '请至少用 5 个字说明').max(2000, '最多 2000 字'),
  /** the page the borrower came from (a local path); anything else is dropped */
  pagePath: z
    .string()
    .max(300)
    .optional()
    .transform((v) => localPath(v)),
});

export const feedbackQuery = z.strictObject({
  status: z.enum(feedbackStatuses, { error: '状态无效' }).optional(),
  category: z.enum(feedbackCategories, { error: '类型无效' }).optional(),
  tag: z.string().trim().max(20, '标签最多 20 字').optional(),
  mine: z.enum(['1']).optional(),
});

export const feedbackTagsBody = z.strictObject({
  tags: z.union([z.string().max(200, '标签过长'), z.array(z.string().max(40, '标签过长')).max(20, '标签过多')], { error: '请填写标签' }),
});
export const feedbackAssignBody = z.strictObject({ assigneeId: z.string({ error: '请选择指派对象' }).trim().min(1, '请选择指派对象').max(40) });
export const feedbackAnswerBody = z.strictObject({ answer: z.string({ error: '请填写答复' }).trim().min(2, '答复至少 2 个字').max(2000, '最多 2000 字') });

const instant = z.string().describe('ISO 8601 instant');

/** One 意见反馈 item as its borrower reads it. */
export const feedbackResponse = z.object({
  id: z.string(),
  category: z.enum(feedbackCategories),
  categoryLabel: z.string(),
  body: z.string(),
  pagePath: z.string().nullable(),
  status: z.enum(feedbackStatuses),
  statusLabel: z.string(),
  tags: z.array(z.string()),
  answer: z.string().nullable().describe('the platform’s answer, once given'),
  answeredAt: instant.nullable(),
  closedAt: instant.nullable(),
  screenshot: z.object({ mime: z.string(), size: z.number().int() }).nullable().describe('fetch the bytes from …/screenshot'),
  createdAt: instant,
  updatedAt: instant,
});

/** An item as operators read it: who sent it and who handles it. */
export const operatorFeedbackResponse = feedbackResponse.extend({
  consumerId: z.string(),
  assignee: z.object({ id: z.string(), name: z.string().nullable() }).nullable(),
});
