import type { Request, RequestHandler } from 'express';
import { ValidationError } from '../../server/lib/errors';
import { auditActor } from '../../server/http/audit-actor';
import { multipartCsrf } from '../../server/http/csrf';
import { guard, page } from '../../server/http/page-route';
import { confirmed } from '../../server/http/confirm';
import { singleUpload } from '../../server/http/upload';
import { parse } from '../../server/http/validate';
import {
  articleInput,
  articleListFilter,
  articleStatuses,
  articleStatusLabels,
  campaignInput,
  campaignStatuses,
  categoryInput,
  sanitizeArticleHtml,
} from '../../server/modules/content';
import { failureFlash, formFailure } from '../../server/http/form-failure';
import { describeError } from '../../server/http/error-handler';
import type { PageTools } from './application-page';

const campaignStatusLabels = { enabled: '启用', disabled: '停用' } as const;

/** Multipart forms (with an optional image) check their CSRF token once parsed; plain forms were checked already. */
const optionalUpload: RequestHandler[] = [singleUpload, multipartCsrf];

/** The form's fields without the CSRF token, as a plain object for the strict schemas. */
function formFields(req: Request): Record<string, unknown> {
  const { _csrf: _token, ...fields } = { ...(req.body as Record<string, unknown> | undefined) };
  // a file input left empty still arrives as a part in some browsers: it is not a field
  delete fields.file;
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
}

type ArticleFormContext = { article?: Record<string, unknown>; values: Record<string, unknown>; error?: unknown };

async function showArticleForm({ services, render }: PageTools, context: ArticleFormContext) {
  await render('content-article-form', {
    title: context.article ? `编辑：${String(context.article.title)}` : '新建文章',
    categories: await services.content.listCategories(),
    scripts: ['/assets/editor.js'],
    ...context,
  });
}

const showCategories = async ({ services, render }: PageTools, extra: Record<string, unknown> = {}) =>
  render('content-categories', { title: '文章分类', categories: await services.content.listCategories(), ...extra });

async function showCampaigns({ services, render }: PageTools, extra: Record<string, unknown> = {}) {
  const [all, active] = await Promise.all([services.content.listCampaigns(), services.content.activeCampaigns()]);
  const running = new Set(active.map((c) => c.id));
  await render('content-campaigns', {
    title: '活动',
    campaigns: all.map((c) => ({ ...c, statusLabel: campaignStatusLabels[c.status], running: running.has(c.id) })),
    ...extra,
  });
}

const showCampaignForm = ({ render }: PageTools, context: { campaign?: Record<string, unknown>; values: Record<string, unknown>; error?: unknown }) =>
  render('content-campaign-form', {
    title: context.campaign ? `编辑活动：${String(context.campaign.title)}` : '新建活动',
    statuses: campaignStatuses.map((value) => ({ value, label: campaignStatusLabels[value] })),
    ...context,
  });

/** `/admin/content/…`: articles (with the rich-text editor), their categories, and campaigns. */
export const contentPages = [
  // ── articles ─────────────────────────────────────────────────────────────────────────────
  page({
    method: 'get',
    path: '/content/articles',
    guard: guard.operator('content.manage'),
    handler: async ({ req, services: { content }, render }) => {
      const filter = articleListFilter.parse({ status: req.query.status || undefined, categoryId: req.query.categoryId || undefined, q: req.query.q || undefined });
      const [items, categories] = await Promise.all([content.listArticles(filter), content.listCategories()]);
      await render('content-articles', {
        title: '资讯与攻略',
        articles: items.map((a) => ({ ...a, statusLabel: articleStatusLabels[a.status] })),
        categories,
        statuses: articleStatuses.map((value) => ({ value, label: articleStatusLabels[value] })),
        filter,
      });
    },
  }),
  page({ method: 'get', path: '/content/articles/new', guard: guard.operator('content.manage'), handler: (ctx) => showArticleForm(ctx, { values: { categoryId: ctx.req.query.categoryId } }) }),
  page({
    method: 'post',
    path: '/content/articles',
    guard: guard.operator('content.manage'),
    before: () => optionalUpload,
    handler: async (ctx) => {
      const { req, res, services: { content } } = ctx;
      const fields = formFields(req);
      try {
        const input = parse(articleInput, fields, '文章内容有误');
        const cover = req.file?.size ? await content.uploadImage(req.file.buffer, auditActor(req)) : undefined;
        const article = await content.createArticle(input, auditActor(req), cover);
        req.session.flash = { kind: 'success', message: '草稿已保存' };
        res.redirect(303, `/admin/content/articles/${article.id}/edit`);
      } catch (err) {
        const error = formFailure(res, err);
        await showArticleForm(ctx, { values: fields, error });
      }
    },
  }),
  page({
    method: 'get',
    path: '/content/articles/:id/edit',
    guard: guard.operator('content.manage'),
    handler: async (ctx) => {
      const article = await ctx.services.content.getArticle(ctx.params.id);
      await showArticleForm(ctx, { article: { ...article, statusLabel: articleStatusLabels[article.status] }, values: { ...article, body: article.bodyHtml } });
    },
  }),
  page({
    method: 'post',
    path: '/content/articles/:id',
    guard: guard.operator('content.manage'),
    before: () => optionalUpload,
    handler: async (ctx) => {
      const { params, req, res, services: { content } } = ctx;
      const article = await content.getArticle(params.id);
      const fields = formFields(req);
      try {
        const input = parse(articleInput, fields, '文章内容有误');
        const cover = req.file?.size ? await content.uploadImage(req.file.buffer, auditActor(req)) : undefined;
        await content.updateArticle(article.id, input, auditActor(req), cover);
        req.session.flash = { kind: 'success', message: article.status === 'published' ? '已保存，已发布的文章立即更新' : '已保存' };
        res.redirect(303, `/admin/content/articles/${article.id}/edit`);
      } catch (err) {
        const error = formFailure(res, err);
        await showArticleForm(ctx, { article: { ...article, statusLabel: articleStatusLabels[article.status] }, values: { ...fields, slug: fields.slug ?? article.slug }, error });
      }
    },
  }),
  page({
    method: 'get',
    path: '/content/articles/:id/preview',
    guard: guard.operator('content.manage'),
    handler: async ({ params, services, render }) => {
      const article = await services.content.getArticle(params.id);
      await render('content-article-preview', {
        title: `预览：${article.title}`,
        article: { ...article, statusLabel: articleStatusLabels[article.status] },
        bodyHtml: sanitizeArticleHtml(article.bodyHtml),
      });
    },
  }),
  ...(
    [
      ['publish', '已发布，用户现在可以在「攻略」中看到'],
      ['unpublish', '已下线，用户不再能看到这篇文章'],
    ] as const
  ).map(([verb, done]) =>
    page({
      method: 'post',
      path: `/content/articles/:id/${verb}`,
      guard: guard.operator('content.manage'),
      handler: async ({ params: { id }, req, res, services: { content } }) => {
        try {
          await (verb === 'publish' ? content.publishArticle(id, auditActor(req)) : content.unpublishArticle(id, auditActor(req)));
          req.session.flash = { kind: 'success', message: done };
        } catch (err) {
          req.session.flash = failureFlash(err);
        }
        res.redirect(303, `/admin/content/articles/${id}/edit`);
      },
    }),
  ),
  page({
    method: 'post',
    path: '/content/articles/:id/delete',
    guard: guard.operator('content.manage'),
    handler: async (ctx) => {
      const { params, req, res, services: { content } } = ctx;
      try {
        confirmed(req.body);
      } catch (err) {
        const error = formFailure(res, err);
        const article = await content.getArticle(params.id);
        return showArticleForm(ctx, { article: { ...article, statusLabel: articleStatusLabels[article.status] }, values: { ...article, body: article.bodyHtml }, error });
      }
      await content.deleteArticle(params.id, auditActor(req));
      req.session.flash = { kind: 'success', message: '文章已删除' };
      res.redirect(303, '/admin/content/articles');
    },
  }),
  /** The editor's 「图片」 button: one image, answered as JSON with the URL the article may use. */
  page({
    method: 'post',
    path: '/content/media',
    guard: guard.operator('content.manage'),
    before: () => optionalUpload,
    handler: async ({ req, res, services }) => {
      try {
        if (!req.file) throw new ValidationError('请选择图片', { file: '请选择图片' });
        const id = await services.content.uploadImage(req.file.buffer, auditActor(req));
        res.status(201).json({ url: `/media/${id}` });
      } catch (err) {
        // the editor uploads with fetch and reads JSON: the same status and body an API gives
        const { status, body } = describeError(err);
        if (status >= 500) throw err;
        res.status(status).json({ error: body });
      }
    },
  }),

  // ── categories ───────────────────────────────────────────────────────────────────────────
  page({ method: 'get', path: '/content/categories', guard: guard.operator('content.manage'), handler: (ctx) => showCategories(ctx) }),
  page({
    method: 'post',
    path: '/content/categories',
    guard: guard.operator('content.manage'),
    handler: async (ctx) => {
      const { req, res, services } = ctx;
      const fields = formFields(req);
      try {
        await services.content.createCategory(parse(categoryInput, fields, '分类有误'), auditActor(req));
        req.session.flash = { kind: 'success', message: '分类已添加' };
        res.redirect(303, '/admin/content/categories');
      } catch (err) {
        const error = formFailure(res, err);
        await showCategories(ctx, { error, values: fields });
      }
    },
  }),
  page({
    method: 'post',
    path: '/content/categories/:id',
    guard: guard.operator('content.manage'),
    handler: async (ctx) => {
      const { params, req, res, services } = ctx;
      const fields = formFields(req);
      try {
        await services.content.updateCategory(params.id, parse(categoryInput, fields, '分类有误'), auditActor(req));
        req.session.flash = { kind: 'success', message: '分类已保存' };
        res.redirect(303, '/admin/content/categories');
      } catch (err) {
        const error = formFailure(res, err);
        await showCategories(ctx, { error });
      }
    },
  }),
  page({
    method: 'post',
    path: '/content/categories/:id/delete',
    guard: guard.operator('content.manage'),
    handler: async (ctx) => {
      const { params, req, res, services } = ctx;
      try {
        confirmed(req.body);
        await services.content.deleteCategory(params.id, auditActor(req));
        req.session.flash = { kind: 'success', message: '分类已删除' };
        res.redirect(303, '/admin/content/categories');
      } catch (err) {
        const error = formFailure(res, err);
        await showCategories(ctx, { error, confirmError: { [params.id]: error.fields?.confirm } });
      }
    },
  }),

  // ── campaigns ────────────────────────────────────────────────────────────────────────────
  page({ method: 'get', path: '/content/campaigns', guard: guard.operator('content.manage'), handler: (ctx) => showCampaigns(ctx) }),
  page({ method: 'get', path: '/content/campaigns/new', guard: guard.operator('content.manage'), handler: (ctx) => showCampaignForm(ctx, { values: { status: 'enabled' } }) }),
  page({
    method: 'post',
    path: '/content/campaigns',
    guard: guard.operator('content.manage'),
    before: () => optionalUpload,
    handler: async (ctx) => {
      const { req, res, services: { content } } = ctx;
      const fields = formFields(req);
      try {
        const input = parse(campaignInput, fields, '活动信息有误');
        const banner = req.file?.size ? await content.uploadImage(req.file.buffer, auditActor(req)) : undefined;
        await content.createCampaign(input, auditActor(req), banner);
        req.session.flash = { kind: 'success', message: '活动已保存' };
        res.redirect(303, '/admin/content/campaigns');
      } catch (err) {
        const error = formFailure(res, err);
        await showCampaignForm(ctx, { values: fields, error });
      }
    },
  }),
  page({
    method: 'get',
    path: '/content/campaigns/:id/edit',
    guard: guard.operator('content.manage'),
    handler: async (ctx) => {
      const campaign = await ctx.services.content.getCampaign(ctx.params.id);
      await showCampaignForm(ctx, { campaign, values: campaign });
    },
  }),
  page({
    method: 'post',
    path: '/content/campaigns/:id',
    guard: guard.operator('content.manage'),
    before: () => optionalUpload,
    handler: async (ctx) => {
      const { params, req, res, services: { content } } = ctx;
      const campaign = await content.getCampaign(params.id);
      const fields = formFields(req);
      try {
        const input = parse(campaignInput, fields, '活动信息有误');
        const banner = req.file?.size ? await content.uploadImage(req.file.buffer, auditActor(req)) : undefined;
        await content.updateCampaign(campaign.id, input, auditActor(req), banner);
        req.session.flash = { kind: 'success', message: '活动已保存' };
        res.redirect(303, '/admin/content/campaigns');
      } catch (err) {
        const error = formFailure(res, err);
        await showCampaignForm(ctx, { campaign, values: { ...fields, bannerMediaId: campaign.bannerMediaId }, error });
      }
    },
  }),
  page({
    method: 'post',
    path: '/content/campaigns/:id/delete',
    guard: guard.operator('content.manage'),
    handler: async (ctx) => {
      const { params, req, res, services } = ctx;
      try {
        confirmed(req.body);
      } catch (err) {
        const error = formFailure(res, err);
        return showCampaigns(ctx, { error, confirmError: { [params.id]: error.fields?.confirm } });
      }
      await services.content.deleteCampaign(params.id, auditActor(req));
      req.session.flash = { kind: 'success', message: '活动已删除' };
      res.redirect(303, '/admin/content/campaigns');
    },
  }),
];
