import type { Router } from 'express';
import { z } from 'zod';
import type { Services } from '../../server/container';
import type { HttpKit } from '../../server/http/kit';
import type { Render } from '../../server/http/render';
import { sanitizeArticleHtml } from '../../server/modules/content';

const PAGE_SIZE = 12;
const guidesQuery = z.object({
  category: z.string().trim().max(60).optional().catch(undefined),
  q: z.string().trim().max(50).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(1000).catch(1).default(1),
});

/** 攻略: published guides by category with a Chinese search box, one article per page, and the images content uses. */
export function guideRoutes(r: Router, services: Services, kit: HttpKit, render: Render): void {
  const { content } = services;

  r.get('/guides', kit.guards.public, async (req, res) => {
    const query = guidesQuery.parse({ category: req.query.category || undefined, q: req.query.q || undefined, page: req.query.page });
    const [categories, result] = await Promise.all([
      content.listCategories(),
      content.publishedArticles({ categoryId: query.category, q: query.q, page: query.page, pageSize: PAGE_SIZE }),
    ]);
    const category = categories.find((c) => c.id === query.category);
    const pages = Math.max(1, Math.ceil(result.total / PAGE_SIZE));
    const link = (page: number) => `/guides?${new URLSearchParams({ ...(query.category ? { category: query.category } : {}), ...(query.q ? { q: query.q } : {}), page: String(page) }).toString()}`;
    await render(req, res, 'guides', {
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
  });

  r.get('/guides/:slug', kit.guards.public, async (req, res) => {
    const article = await content.publishedBySlug(String(req.params.slug));
    await render(req, res, 'guide', {
      title: `${article.title} · ${article.categoryName}`,
      description: article.summary || article.bodyText.slice(0, 120),
      article,
      // stored sanitised, and sanitised again here: what is rendered is always what the policy allows
      bodyHtml: sanitizeArticleHtml(article.bodyHtml),
    });
  });

  r.get('/media/:id', kit.guards.public, async (req, res) => {
    const id = String(req.params.id);
    const image = await content.openImage(/^med_[0-9a-z]+$/.test(id) ? id : 'none');
    res.type(image.mime).set('Cache-Control', 'public, max-age=86400, immutable').set('Content-Disposition', 'inline').send(image.bytes);
  });
}
