import type { Request, RequestHandler, Response, Router } from 'express';
import type { Services } from '../../server/container';
import { ValidationError } from '../../server/lib/errors';
import { auditActor } from '../../server/http/audit-actor';
import { multipartCsrf } from '../../server/http/csrf';
import type { HttpKit } from '../../server/http/kit';
import type { Render } from '../../server/http/render';
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

/** `/admin/content/…`: articles (with the rich-text editor), their categories, and campaigns. */
export function contentRoutes(r: Router, services: Services, kit: HttpKit, render: Render): void {
  const manage = kit.guards.operator('page', 'content.manage');
  const { content } = services;

  // ── articles ─────────────────────────────────────────────────────────────────────────────
  r.get('/content/articles', manage, async (req, res) => {
    const filter = articleListFilter.parse({ status: req.query.status || undefined, categoryId: req.query.categoryId || undefined, q: req.query.q || undefined });
    const [items, categories] = await Promise.all([content.listArticles(filter), content.listCategories()]);
    await render(req, res, 'content-articles', {
      title: '资讯与攻略',
      articles: items.map((a) => ({ ...a, statusLabel: articleStatusLabels[a.status] })),
      categories,
      statuses: articleStatuses.map((value) => ({ value, label: articleStatusLabels[value] })),
      filter,
    });
  });

  const showArticleForm = async (req: Request, res: Response, context: { article?: Record<string, unknown>; values: Record<string, unknown>; error?: unknown }) => {
    await render(req, res, 'content-article-form', {
      title: context.article ? `编辑：${String(context.article.title)}` : '新建文章',
      categories: await content.listCategories(),
      scripts: ['/assets/editor.js'],
      ...context,
    });
  };

  r.get('/content/articles/new', manage, (req, res) => showArticleForm(req, res, { values: { categoryId: req.query.categoryId } }));

  r.post('/content/articles', manage, ...optionalUpload, async (req, res) => {
    const fields = formFields(req);
    try {
      const input = parse(articleInput, fields, '文章内容有误');
      const cover = req.file?.size ? await content.uploadImage(req.file.buffer, auditActor(req)) : undefined;
      const article = await content.createArticle(input, auditActor(req), cover);
      req.session.flash = { kind: 'success', message: '草稿已保存' };
      res.redirect(303, `/admin/content/articles/${article.id}/edit`);
    } catch (err) {
      const error = formFailure(res, err);
      await showArticleForm(req, res, { values: fields, error });
    }
  });

  r.get('/content/articles/:id/edit', manage, async (req, res) => {
    const article = await content.getArticle(String(req.params.id));
    await showArticleForm(req, res, { article: { ...article, statusLabel: articleStatusLabels[article.status] }, values: { ...article, body: article.bodyHtml } });
  });

  r.post('/content/articles/:id', manage, ...optionalUpload, async (req, res) => {
    const article = await content.getArticle(String(req.params.id));
    const fields = formFields(req);
    try {
      const input = parse(articleInput, fields, '文章内容有误');
      const cover = req.file?.size ? await content.uploadImage(req.file.buffer, auditActor(req)) : undefined;
      await content.updateArticle(article.id, input, auditActor(req), cover);
      req.session.flash = { kind: 'success', message: article.status === 'published' ? '已保存，已发布的文章立即更新' : '已保存' };
      res.redirect(303, `/admin/content/articles/${article.id}/edit`);
    } catch (err) {
      const error = formFailure(res, err);
      await showArticleForm(req, res, { article: { ...article, statusLabel: articleStatusLabels[article.status] }, values: { ...fields, slug: fields.slug ?? article.slug }, error });
    }
  });

  r.get('/content/articles/:id/preview', manage, async (req, res) => {
    const article = await content.getArticle(String(req.params.id));
    await render(req, res, 'content-article-preview', {
      title: `预览：${article.title}`,
      article: { ...article, statusLabel: articleStatusLabels[article.status] },
      bodyHtml: sanitizeArticleHtml(article.bodyHtml),
    });
  });

  const transition = (verb: 'publish' | 'unpublish', done: string) =>
    r.post(`/content/articles/:id/${verb}`, manage, async (req, res) => {
      const id = String(req.params.id);
      try {
        await (verb === 'publish' ? content.publishArticle(id, auditActor(req)) : content.unpublishArticle(id, auditActor(req)));
        req.session.flash = { kind: 'success', message: done };
      } catch (err) {
        req.session.flash = failureFlash(err);
      }
      res.redirect(303, `/admin/content/articles/${id}/edit`);
    });
  transition('publish', '已发布，用户现在可以在「攻略」中看到');
  transition('unpublish', '已下线，用户不再能看到这篇文章');

  r.post('/content/articles/:id/delete', manage, async (req, res) => {
    try {
      confirmed(req.body);
    } catch (err) {
      const error = formFailure(res, err);
      const article = await content.getArticle(String(req.params.id));
      return showArticleForm(req, res, { article: { ...article, statusLabel: articleStatusLabels[article.status] }, values: { ...article, body: article.bodyHtml }, error });
    }
    await content.deleteArticle(String(req.params.id), auditActor(req));
    req.session.flash = { kind: 'success', message: '文章已删除' };
    res.redirect(303, '/admin/content/articles');
  });

  /** The editor's 「图片」 button: one image, answered as JSON with the URL the article may use. */
  r.post('/content/media', manage, ...optionalUpload, async (req, res) => {
    try {
      if (!req.file) throw new ValidationError('请选择图片', { file: '请选择图片' });
      const id = await content.uploadImage(req.file.buffer, auditActor(req));
      res.status(201).json({ url: `/media/${id}` });
    } catch (err) {
      // the editor uploads with fetch and reads JSON: the same status and body an API gives
      const { status, body } = describeError(err);
      if (status >= 500) throw err;
      res.status(status).json({ error: body });
    }
  });

  // ── categories ───────────────────────────────────────────────────────────────────────────
  const showCategories = async (req: Request, res: Response, extra: Record<string, unknown> = {}) =>
    render(req, res, 'content-categories', { title: '文章分类', categories: await content.listCategories(), ...extra });

  r.get('/content/categories', manage, (req, res) => showCategories(req, res));
  r.post('/content/categories', manage, async (req, res) => {
    const fields = formFields(req);
    try {
      await content.createCategory(parse(categoryInput, fields, '分类有误'), auditActor(req));
      req.session.flash = { kind: 'success', message: '分类已添加' };
      res.redirect(303, '/admin/content/categories');
    } catch (err) {
      const error = formFailure(res, err);
      await showCategories(req, res, { error, values: fields });
    }
  });
  r.post('/content/categories/:id', manage, async (req, res) => {
    const fields = formFields(req);
    try {
      await content.updateCategory(String(req.params.id), parse(categoryInput, fields, '分类有误'), auditActor(req));
      req.session.flash = { kind: 'success', message: '分类已保存' };
      res.redirect(303, '/admin/content/categories');
    } catch (err) {
      const error = formFailure(res, err);
      await showCategories(req, res, { error });
    }
  });
  r.post('/content/categories/:id/delete', manage, async (req, res) => {
    try {
      confirmed(req.body);
      await content.deleteCategory(String(req.params.id), auditActor(req));
      req.session.flash = { kind: 'success', message: '分类已删除' };
      res.redirect(303, '/admin/content/categories');
    } catch (err) {
      const error = formFailure(res, err);
      await showCategories(req, res, { error, confirmError: { [String(req.params.id)]: error.fields?.confirm } });
    }
  });

  // ── campaigns ────────────────────────────────────────────────────────────────────────────
  const showCampaigns = async (req: Request, res: Response, extra: Record<string, unknown> = {}) => {
    const [all, active] = await Promise.all([content.listCampaigns(), content.activeCampaigns()]);
    const running = new Set(active.map((c) => c.id));
    await render(req, res, 'content-campaigns', {
      title: '活动',
      campaigns: all.map((c) => ({ ...c, statusLabel: campaignStatusLabels[c.status], running: running.has(c.id) })),
      ...extra,
    });
  };
  r.get('/content/campaigns', manage, (req, res) => showCampaigns(req, res));

  const showCampaignForm = async (req: Request, res: Response, context: { campaign?: Record<string, unknown>; values: Record<string, unknown>; error?: unknown }) =>
    render(req, res, 'content-campaign-form', {
      title: context.campaign ? `编辑活动：${String(context.campaign.title)}` : '新建活动',
      statuses: campaignStatuses.map((value) => ({ value, label: campaignStatusLabels[value] })),
      ...context,
    });

  r.get('/content/campaigns/new', manage, (req, res) => showCampaignForm(req, res, { values: { status: 'enabled' } }));
  r.post('/content/campaigns', manage, ...optionalUpload, async (req, res) => {
    const fields = formFields(req);
    try {
      const input = parse(campaignInput, fields, '活动信息有误');
      const banner = req.file?.size ? await content.uploadImage(req.file.buffer, auditActor(req)) : undefined;
      await content.createCampaign(input, auditActor(req), banner);
      req.session.flash = { kind: 'success', message: '活动已保存' };
      res.redirect(303, '/admin/content/campaigns');
    } catch (err) {
      const error = formFailure(res, err);
      await showCampaignForm(req, res, { values: fields, error });
    }
  });
  r.get('/content/campaigns/:id/edit', manage, async (req, res) => {
    const campaign = await content.getCampaign(String(req.params.id));
    await showCampaignForm(req, res, { campaign, values: campaign });
  });
  r.post('/content/campaigns/:id', manage, ...optionalUpload, async (req, res) => {
    const campaign = await content.getCampaign(String(req.params.id));
    const fields = formFields(req);
    try {
      const input = parse(campaignInput, fields, '活动信息有误');
      const banner = req.file?.size ? await content.uploadImage(req.file.buffer, auditActor(req)) : undefined;
      await content.updateCampaign(campaign.id, input, auditActor(req), banner);
      req.session.flash = { kind: 'success', message: '活动已保存' };
      res.redirect(303, '/admin/content/campaigns');
    } catch (err) {
      const error = formFailure(res, err);
      await showCampaignForm(req, res, { campaign, values: { ...fields, bannerMediaId: campaign.bannerMediaId }, error });
    }
  });
  r.post('/content/campaigns/:id/delete', manage, async (req, res) => {
    try {
      confirmed(req.body);
    } catch (err) {
      const error = formFailure(res, err);
      return showCampaigns(req, res, { error, confirmError: { [String(req.params.id)]: error.fields?.confirm } });
    }
    await content.deleteCampaign(String(req.params.id), auditActor(req));
    req.session.flash = { kind: 'success', message: '活动已删除' };
    res.redirect(303, '/admin/content/campaigns');
  });
}
