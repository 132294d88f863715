import { z } from 'zod';
import { sanitizeArticleHtml, type ArticleListItem, type CampaignRow } from '../../../modules/content';
import { guard, route, type ApiRoute } from '../route-table';
import { campaignListResponse, guideListResponse, guideResponse } from './guides.schemas';

export const guideListQuery = z.strictObject({
  q: z.string().trim().max(50, '搜索词最多 50 字').optional(),
  category: z.string().trim().max(60).optional(),
  page: z.coerce.number({ error: '页码须为整数' }).int('页码须为整数').min(1, '页码不能小于 1').max(1000, '页码过大').default(1),
  pageSize: z.coerce.number({ error: '每页条数须为整数' }).int('每页条数须为整数').min(1, '每页至少 1 条').max(50, '每页最多 50 条').default(12),
});

/** A guide's link name: lower-case letters, digits and hyphens (as the editor enforces). */
const slugParam = z.string().min(1, '链接名不能为空').max(120, '链接名过长').regex(/^[A-Za-z0-9_-]+$/, '链接名格式无效');

const guideJson = (a: ArticleListItem) => ({
  slug: a.slug,
  title: a.title,
  summary: a.summary,
  category: { id: a.categoryId, name: a.categoryName },
  coverUrl: a.coverMediaId ? `/media/${a.coverMediaId}` : null,
  publishedAt: a.publishedAt?.toISOString() ?? null,
  url: `/guides/${a.slug}`,
});

const campaignJson = (c: CampaignRow) => ({
  id: c.id,
  title: c.title,
  description: c.description,
  bannerUrl: c.bannerMediaId ? `/media/${c.bannerMediaId}` : null,
  link: c.linkPath,
  startDate: c.startDate,
  endDate: c.endDate,
});

/** `/api/v1/guides…` and `/api/v1/campaigns`: what the consumer site shows under 攻略 and on the home banner. */
export const consumerGuideRoutes: ApiRoute[] = [
  route({
    method: 'get',
    path: '/guides',
    guard: guard.public,
    summary: 'Published guides (攻略), newest first; q is Chinese-aware (装修 finds 装修贷款)',
    query: guideListQuery,
    responseDescription: '{ items: [{ slug, title, summary, category: { id, name }, coverUrl, publishedAt, url }], total, page, pageSize }',
    response: guideListResponse,
    handler: async ({ query: q, services }) => {
      const page = await services.content.publishedArticles({ q: q.q || undefined, categoryId: q.category || undefined, page: q.page, pageSize: q.pageSize });
      return { items: page.items.map(guideJson), total: page.total, page: q.page, pageSize: q.pageSize };
    },
  }),
  route({
    method: 'get',
    path: '/guides/:slug',
    guard: guard.public,
    summary: 'One published guide with its sanitised HTML body (404 for drafts and unpublished ones)',
    params: { slug: slugParam },
    responseDescription: '{ slug, title, summary, category, coverUrl, publishedAt, updatedAt, url, bodyHtml }',
    response: guideResponse,
    handler: async ({ params, services }) => {
      const a = await services.content.publishedBySlug(params.slug);
      return { ...guideJson({ ...a, authorName: null }), bodyHtml: sanitizeArticleHtml(a.bodyHtml), updatedAt: a.updatedAt.toISOString() };
    },
  }),
  route({
    method: 'get',
    path: '/campaigns',
    guard: guard.public,
    summary: 'Campaigns running today (Asia/Shanghai), for the home banner',
    responseDescription: '{ items: [{ id, title, description, bannerUrl, link, startDate, endDate }] }',
    response: campaignListResponse,
    handler: async ({ services }) => ({ items: (await services.content.activeCampaigns()).map(campaignJson) }),
  }),
];
