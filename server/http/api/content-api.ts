import type { Router } from 'express';
import { z } from 'zod';
import type { Services } from '../../container';
import { sanitizeArticleHtml, type ArticleListItem, type CampaignRow } from '../../modules/content';
import { auditActor } from '../audit-actor';
import { auditFilterDetail, auditQuery, auditRowJson, toAuditFilter } from '../audit-query';
import type { HttpKit } from '../kit';
import { parse } from '../validate';

export const guideListQuery = z.strictObject({
  q: z.string().trim().max(50, '搜索词最多 50 字').optional(),
  category: z.string().trim().max(60).optional(),
  page: z.coerce.number({ error: '页码须为整数' }).int('页码须为整数').min(1, '页码不能小于 1').max(1000, '页码过大').default(1),
  pageSize: z.coerce.number({ error: '每页条数须为整数' }).int('每页条数须为整数').min(1, '每页至少 1 条').max(50, '每页最多 50 条').default(12),
});

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
export function guideApiRoutes(r: Router, services: Services, kit: HttpKit): void {
  r.get('/guides', kit.guards.public, async (req, res) => {
    const q = parse(guideListQuery, req.query, '查询参数有误');
    const page = await services.content.publishedArticles({ q: q.q || undefined, categoryId: q.category || undefined, page: q.page, pageSize: q.pageSize });
    res.json({ items: page.items.map(guideJson), total: page.total, page: q.page, pageSize: q.pageSize });
  });
  r.get('/guides/:slug', kit.guards.public, async (req, res) => {
    const a = await services.content.publishedBySlug(String(req.params.slug));
    res.json({ ...guideJson({ ...a, authorName: null }), bodyHtml: sanitizeArticleHtml(a.bodyHtml), updatedAt: a.updatedAt.toISOString() });
  });
  r.get('/campaigns', kit.guards.public, async (_req, res) => {
    res.json({ items: (await services.content.activeCampaigns()).map(campaignJson) });
  });
}

/** `/api/admin/v1/audit`: the audit log as JSON, keyset-paged (`nextBefore`); each call is itself audited. */
export function auditApiRoutes(r: Router, services: Services, kit: HttpKit): void {
  r.get('/audit', kit.guards.operator('api', 'audit.view'), async (req, res) => {
    const q = parse(auditQuery, req.query, '筛选条件有误');
    const page = await services.audit.search(toAuditFilter(q), { before: q.before, limit: 100 });
    await services.audit.record(auditActor(req), { action: 'audit.viewed', objectType: 'audit_log', objectId: null, detail: { filter: auditFilterDetail(q), before: q.before ?? null, rows: page.rows.length, via: 'api' } });
    res.json({ items: page.rows.map(auditRowJson), nextBefore: page.nextBefore });
  });
}
