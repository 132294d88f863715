import type { Services } from '../../server/container';
import { complaintBody, feedbackBody, reviewBody } from '../../server/http/api/schemas';
import { multipartCsrf } from '../../server/http/csrf';
import { singleUpload } from '../../server/http/upload';
import { localPath } from '../../server/lib/local-path';
import { auditActor } from '../../server/http/audit-actor';
import { formIdempotent } from '../../server/http/idempotency';
import { guard, page, type PageContext, type PageRoute } from '../../server/http/page-route';
import { parse } from '../../server/http/validate';
import { complaintCategories, complaintCategoryLabels, feedbackCategories, feedbackCategoryLabels, REOPEN_WINDOW_DAYS } from '../../server/modules/feedback';
import { formFailure } from '../../server/http/form-failure';

type Consumer = PageContext<typeof guard.consumer, string, undefined>;
type OnComplaint = Consumer & { params: { id: string } };

const categories = complaintCategories.map((value) => ({ value, label: complaintCategoryLabels[value] }));

const showNew = async ({ principal, services, render }: Consumer, values: Record<string, unknown>, error?: unknown) => {
  const applications = await services.applications.listForConsumer(principal.account.id);
  await render('complaint-new', { title: '我要投诉', categories, applications, values, error });
};

const showComplaint = async ({ params, principal, services, render }: OnComplaint, extra: Record<string, unknown> = {}) => {
  const complaint = await services.complaints.getForConsumer(principal.account.id, params.id);
  const reopenUntil = complaint.resolvedAt ? new Date(complaint.resolvedAt.getTime() + REOPEN_WINDOW_DAYS * 86_400_000) : null;
  await render('complaint', {
    title: complaint.subject,
    complaint,
    canReply: complaint.status !== 'resolved' && complaint.status !== 'closed',
    canConfirm: complaint.status === 'resolved',
    canReopen: complaint.status === 'resolved' && reopenUntil !== null && reopenUntil.getTime() >= Date.now(),
    reopenUntil,
    ...extra,
  });
};

/** Runs a consumer action on a ticket; bad input or an illegal move re-renders the ticket with the reason. */
const act = (work: (ctx: OnComplaint) => Promise<unknown>, done: string) => async (ctx: OnComplaint) => {
  try {
    await work(ctx);
    ctx.req.session.flash = { kind: 'success', message: done };
    ctx.res.redirect(303, `/account/complaints/${ctx.params.id}`);
  } catch (err) {
    const error = formFailure(ctx.res, err);
    await showComplaint(ctx, { error, values: ctx.req.body });
  }
};

const feedbackCategoryOptions = feedbackCategories.map((value) => ({ value, label: feedbackCategoryLabels[value] }));

const showFeedbackForm = ({ render }: Consumer, values: Record<string, unknown>, error?: unknown) =>
  render('feedback-new', { title: '意见反馈', categories: feedbackCategoryOptions, values, error });

/** Complaints (`/account/complaints`), 意见反馈 (`/account/feedback`) and product reviews, for consumers. */
export const feedbackPages = ({ idempotency }: Pick<Services, 'idempotency'>): PageRoute[] => [
  page({
    method: 'get',
    path: '/account/complaints',
    guard: guard.consumer,
    handler: async ({ principal, services, render }) => {
      await render('complaints', { title: '我的投诉', complaints: await services.complaints.listForConsumer(principal.account.id) });
    },
  }),
  page({
    method: 'get',
    path: '/account/complaints/new',
    guard: guard.consumer,
    handler: (ctx) => showNew(ctx, { applicationId: typeof ctx.req.query.applicationId === 'string' ? ctx.req.query.applicationId : '' }),
  }),
  page({
    method: 'post',
    path: '/account/complaints',
    guard: guard.consumer,
    before: () => formIdempotent(idempotency),
    handler: async (ctx) => {
      const { req, res, principal, services } = ctx;
      const { _csrf: _ignored, ...fields } = req.body as Record<string, unknown>;
      try {
        const input = parse(complaintBody, fields, '请检查投诉内容');
        const created = await services.complaints.file(principal.account.id, input, auditActor(req));
        req.session.flash = { kind: 'success', message: '投诉已提交，我们会在时限内答复你' };
        res.redirect(303, `/account/complaints/${created.id}`);
      } catch (err) {
        const error = formFailure(res, err);
        await showNew(ctx, req.body, error);
      }
    },
  }),
  page({ method: 'get', path: '/account/complaints/:id', guard: guard.consumer, handler: (ctx) => showComplaint(ctx) }),
  page({
    method: 'post',
    path: '/account/complaints/:id/messages',
    guard: guard.consumer,
    handler: act(({ req, params, principal, services }) => services.complaints.replyByConsumer(principal.account.id, params.id, String(req.body.body ?? ''), auditActor(req)), '已发送'),
  }),
  page({
    method: 'post',
    path: '/account/complaints/:id/confirm',
    guard: guard.consumer,
    handler: act(({ req, params, principal, services }) => services.complaints.confirmResolved(principal.account.id, params.id, auditActor(req)), '感谢确认，投诉已关闭'),
  }),
  page({
    method: 'post',
    path: '/account/complaints/:id/reopen',
    guard: guard.consumer,
    handler: act(
      ({ req, params, principal, services }) => services.complaints.reopen(principal.account.id, params.id, String(req.body.reason ?? ''), auditActor(req)),
      '投诉已重新打开',
    ),
  }),

  // ── 意见反馈 ──────────────────────────────────────────────────────────────────────────────
  page({
    method: 'get',
    path: '/account/feedback',
    guard: guard.consumer,
    handler: async ({ principal, services, render }) => {
      await render('feedback-list', { title: '我的反馈', items: await services.feedback.listForConsumer(principal.account.id) });
    },
  }),
  page({
    method: 'get',
    path: '/account/feedback/new',
    guard: guard.consumer,
    handler: (ctx) => showFeedbackForm(ctx, { pagePath: localPath(ctx.req.query.from) ?? '' }),
  }),
  page({
    method: 'post',
    path: '/account/feedback',
    guard: guard.consumer,
    before: () => [singleUpload, multipartCsrf],
    handler: async (ctx) => {
      const { req, res, principal, services } = ctx;
      const { _csrf: _ignored, ...fields } = req.body as Record<string, unknown>;
      try {
        const input = parse(feedbackBody, fields, '请检查反馈内容');
        const created = await services.feedback.submit(principal.account.id, input, req.file?.buffer, auditActor(req));
        req.session.flash = { kind: 'success', message: '感谢反馈！我们会认真查看，答复会显示在“我的反馈”里' };
        res.redirect(303, `/account/feedback/${created.id}`);
      } catch (err) {
        const error = formFailure(res, err);
        await showFeedbackForm(ctx, fields, error);
      }
    },
  }),
  page({
    method: 'get',
    path: '/account/feedback/:id',
    guard: guard.consumer,
    handler: async ({ params, principal, services, render }) => {
      const item = await services.feedback.getForConsumer(principal.account.id, params.id);
      await render('feedback', { title: '我的反馈', item });
    },
  }),
  page({
    method: 'get',
    path: '/account/feedback/:id/screenshot',
    guard: guard.consumer,
    handler: async ({ req, res, params, principal, services }) => {
      const shot = await services.feedback.screenshotForConsumer(principal.account.id, params.id, auditActor(req));
      res.type(shot.mime).set('Content-Disposition', 'inline').set('Cache-Control', 'private, no-store').send(shot.bytes);
    },
  }),

  // ── reviews ──────────────────────────────────────────────────────────────────────────────
  page({
    method: 'get',
    path: '/account/reviews',
    guard: guard.consumer,
    handler: async ({ principal, services, render }) => {
      await render('reviews', { title: '我的评价', reviews: await services.reviews.listForConsumer(principal.account.id) });
    },
  }),
  page({
    method: 'post',
    path: '/products/:id/review',
    guard: guard.consumer,
    handler: async ({ req, res, params, principal, services, render }) => {
      const product = services.catalogue.getListed(params.id);
      try {
        const input = parse(reviewBody, { rating: req.body.rating, body: req.body.body }, '请检查评价内容');
        await services.reviews.save(principal.account.id, product.id, input, auditActor(req));
        req.session.flash = { kind: 'success', message: '评价已提交，审核通过后展示' };
        res.redirect(303, `/products/${product.id}#reviews`);
      } catch (err) {
        const error = formFailure(res, err);
        await render('review-form', { title: `评价 ${product.name}`, product, values: req.body, error });
      }
    },
  }),
];
