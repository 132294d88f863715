import { z } from 'zod';
import { guard, page } from '../../server/http/page-route';
import { sanitizeArticleHtml } from '../../server/modules/content';

const PAGE_SIZE = 12;
/** A filter left blank (or unreadable in a stale link) is no filter. */
const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .optional()
    .catch(undefined)
    .transform((v) => v || undefined);
const guidesQuery = z.object({
  category: optionalText(60),
  q: optionalText(50),
  page: z.coerce.number().int().min(1).max(1000).catch(1).default(1),
});
const slugParam = z.string().max(120).regex(/^[A-Za-z0-9_-]+$/);
const mediaParam = z.string().regex(/^med_[0-9a-z]+$/);

/** 攻略: published guides by category with a Chinese search box, one article per page, and the images content uses. */
export const guidePages = [
  page({
    method: 'get',
    path: '/guides',
    guard: guard.public,
    query: guidesQuery,
    handler: async ({ query, services: { content }, render }) => {
      const [categories, result] = await Promise.all([
        content.listCategories(),
        content.publishedArticles({ categoryId: query.category, q: query.q, page: query.page, pageSize: PAGE_SIZE }),
      ]);
      const category = categories.find((c) => c.id === query.category);
      const pages = Math.max(1, Math.ceil(result.total / PAGE_SIZE));
      const link = (page: number) => `/guides?${new URLSearchParams({ ...(query.category ? { category: query.category } : {}), ...(query.q ? { q: query.q } : {}), page: String(page) }).toString()}`;
      await render('guides', {
        title: query.q ? `“${query.q}”的攻略搜索结果` : category ? `${category.name} · 贷款攻略` : '贷款攻略与资讯',
        description: '贷款知识、防骗指南、征信常识和平台公告：借款前先看懂综合年化利率、费用和风险。',
        categories: categories.filter((c) => c.publishedCount > 0 || c.id === query.category).map((c) => ({ ...c, current: c.id === query.category })),
        category,
        query,
        articles: result.items,
        total: result.total,
        prevHref: query.page > 1 ? link(query.page - 1) : undefined,
        nextHref: query.page < pages ? link(query.page + 1) : undefined,
        page: query.page,
        pages,
      });
    },
  }),
  page({
    method: 'get',
    path: '/guides/:slug',
    guard: guard.public,
    params: { slug: slugParam },
    handler: async ({ params, services, render }) => {
      const article = await services.content.publishedBySlug(params.slug);
      await render('guide', {
        title: `${article.title} · ${article.categoryName}`,
        description: article.summary || article.bodyText.slice(0, 120),
        article,
        // stored sanitised, and sanitised again here: what is rendered is always what the policy allows
        bodyHtml: sanitizeArticleHtml(article.bodyHtml),
      });
    },
  }),
  page({
    method: 'get',
    path: '/media/:id',
    guard: guard.public,
    params: { id: mediaParam },
    handler: async ({ params, services, res }) => {
      const image = await services.content.openImage(params.id);
      res.type(image.mime).set('Cache-Control', 'public, max-age=86400, immutable').set('Content-Disposition', 'inline').send(image.bytes);
    },
  }),
];
