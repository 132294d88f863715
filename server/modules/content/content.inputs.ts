import { z } from 'zod';
import { isIsoDate } from '../../lib/shanghai-date';
import { localPath } from '../../lib/local-path';
import { articleStatuses, campaignStatuses } from './content.schema';

/** Edge schemas for the content forms (strict: unknown fields are refused). */

export const slugPattern = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export const categoryInput = z.strictObject({
  name: z.string({ error: '请填写分类名称' }).trim().min(1, '请填写分类名称').max(20, '分类名称最多 20 字'),
  sortOrder: z.coerce.number({ error: '排序须为整数' }).int('排序须为整数').min(0, '排序不能小于 0').max(999, '排序不能大于 999').default(0),
});
export type CategoryInput = z.infer<typeof categoryInput>;

export const articleInput = z.strictObject({
  title: z.string({ error: '请填写标题' }).trim().min(1, '请填写标题').max(100, '标题最多 100 字'),
  slug: z
    .string()
    .trim()
    .toLowerCase()
    .max(80, '链接名最多 80 个字符')
    .refine((s) => s === '' || slugPattern.test(s), '链接名只能用小写字母、数字和连字符（留空则自动生成）')
    .default(''),
  categoryId: z.string({ error: '请选择分类' }).trim().min(1, '请选择分类'),
  summary: z.string().trim().max(300, '摘要最多 300 字').default(''),
  body: z.string().max(200_000, '正文过长').default(''),
  removeCover: z.literal('1').optional(),
});
export type ArticleInput = z.infer<typeof articleInput>;

/** An internal path: plain characters, no `..`, and a path on this site exactly as written (the check every `next` gets). */
const internalPath = z
  .string({ error: '请填写链接' })
  .trim()
  .min(1, '请填写链接')
  .max(300, '链接过长')
  .refine((p) => /^\/[\w\-./?=&%~+#]*$/.test(p) && !p.includes('..') && localPath(p) === p, '只能填写站内路径，如 /products/xxx 或 /guides/xxx');

const isoDate = (label: string) => z.string({ error: `请填写${label}` }).trim().refine(isIsoDate, `${label}须为有效日期（YYYY-MM-DD）`);

export const campaignInput = z
  .strictObject({
    title: z.string({ error: '请填写活动标题' }).trim().min(1, '请填写活动标题').max(60, '活动标题最多 60 字'),
    description: z.string().trim().max(300, '活动说明最多 300 字').default(''),
    linkPath: internalPath,
    startDate: isoDate('开始日期'),
    endDate: isoDate('结束日期'),
    status: z.enum(campaignStatuses, { error: '状态无效' }).default('enabled'),
  })
  .refine((c) => !isIsoDate(c.startDate) || !isIsoDate(c.endDate) || c.startDate <= c.endDate, { message: '结束日期不能早于开始日期', path: ['endDate'] });
export type CampaignInput = z.infer<typeof campaignInput>;

export const articleListFilter = z.object({
  status: z.enum(articleStatuses).optional().catch(undefined),
  categoryId: z.string().trim().max(60).optional().catch(undefined),
  q: z.string().trim().max(50).optional().catch(undefined),
});
export type ArticleListFilter = z.infer<typeof articleListFilter>;
