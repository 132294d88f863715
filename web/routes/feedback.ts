import type { Request, Response, Router } from 'express';
import type { Services } from '../../server/container';
import { complaintBody, reviewBody } from '../../server/http/api/schemas';
import { auditActor } from '../../server/http/audit-actor';
import { formIdempotent } from '../../server/http/idempotency';
import type { HttpKit } from '../../server/http/kit';
import type { Render } from '../../server/http/render';
import { parse } from '../../server/http/validate';
import { complaintCategories, complaintCategoryLabels, REOPEN_WINDOW_DAYS } from '../../server/modules/feedback';
import { formFailure } from '../../server/http/form-failure';

/** Complaints (`/account/complaints`) and product reviews, for consumers. */
export function feedbackRoutes(r: Router, services: Services, kit: HttpKit, render: Render): void {
  const consumer = kit.guards.consumer('page');
  const categories = complaintCategories.map((value) => ({ value, label: complaintCategoryLabels[value] }));

  r.get('/account/complaints', consumer, async (req, res) => {
    await render(req, res, 'complaints', { title: '我的投诉', complaints: await services.complaints.listForConsumer(req.account!.id) });
  });

  const showNew = async (req: Request, res: Response, values: Record<string, unknown>, error?: unknown) => {
    const applications = await services.applications.listForConsumer(req.account!.id);
    await render(req, res, 'complaint-new', { title: '我要投诉', categories, applications, values, error });
  };
  r.get('/account/complaints/new', consumer, (req, res) =>
    showNew(req, res, { applicationId: typeof req.query.applicationId === 'string' ? req.query.applicationId : '' }),
  );
  r.post('/account/complaints', consumer, formIdempotent(services.idempotency), async (req, res) => {
    const { _csrf: _ignored, ...fields } = req.body as Record<string, unknown>;
    try {
      const input = parse(complaintBody, fields, '请检查投诉内容');
      const created = await services.complaints.file(req.account!.id, input, auditActor(req));
      req.session.flash = { kind: 'success', message: '投诉已提交，我们会在时限内答复你' };
      res.redirect(303, `/account/complaints/${created.id}`);
    } catch (err) {
      const error = formFailure(res, err);
      await showNew(req, res, req.body, error);
    }
  });

  const showComplaint = async (req: Request, res: Response, extra: Record<string, unknown> = {}) => {
    const complaint = await services.complaints.getForConsumer(req.account!.id, String(req.params.id));
    const reopenUntil = complaint.resolvedAt ? new Date(complaint.resolvedAt.getTime() + REOPEN_WINDOW_DAYS * 86_400_000) : null;
    await render(req, res, 'complaint', {
      title: complaint.subject,
      complaint,
      canReply: complaint.status !== 'resolved' && complaint.status !== 'closed',
      canConfirm: complaint.status === 'resolved',
      canReopen: complaint.status === 'resolved' && reopenUntil !== null && reopenUntil.getTime() >= Date.now(),
      reopenUntil,
      ...extra,
    });
  };
  r.get('/account/complaints/:id', consumer, (req, res) => showComplaint(req, res));

  /** Runs a consumer action on a ticket; bad input or an illegal move re-renders the ticket with the reason. */
  const act = (work: (req: Request) => Promise<void>, done: string) => async (req: Request, res: Response) => {
    try {
      await work(req);
      req.session.flash = { kind: 'success', message: done };
      res.redirect(303, `/account/complaints/${String(req.params.id)}`);
    } catch (err) {
      const error = formFailure(res, err);
      await showComplaint(req, res, { error, values: req.body });
    }
  };
  r.post(
    '/account/complaints/:id/messages',
    consumer,
    act((req) => services.complaints.replyByConsumer(req.account!.id, String(req.params.id), String(req.body.body ?? ''), auditActor(req)), '已发送'),
  );
  r.post(
    '/account/complaints/:id/confirm',
    consumer,
    act((req) => services.complaints.confirmResolved(req.account!.id, String(req.params.id), auditActor(req)), '感谢确认，投诉已关闭'),
  );
  r.post(
    '/account/complaints/:id/reopen',
    consumer,
    act((req) => services.complaints.reopen(req.account!.id, String(req.params.id), String(req.body.reason ?? ''), auditActor(req)), '投诉已重新打开'),
  );

  // ── reviews ──────────────────────────────────────────────────────────────────────────────
  r.get('/account/reviews', consumer, async (req, res) => {
    await render(req, res, 'reviews', { title: '我的评价', reviews: await services.reviews.listForConsumer(req.account!.id) });
  });

  r.post('/products/:id/review', consumer, async (req, res) => {
    const product = services.catalogue.getListed(String(req.params.id));
    try {
      const input = parse(reviewBody, { rating: req.body.rating, body: req.body.body }, '请检查评价内容');
      await services.reviews.save(req.account!.id, product.id, input, auditActor(req));
      req.session.flash = { kind: 'success', message: '评价已提交，审核通过后展示' };
      res.redirect(303, `/products/${product.id}#reviews`);
    } catch (err) {
      const error = formFailure(res, err);
      await render(req, res, 'review-form', { title: `评价 ${product.name}`, product, values: req.body, error });
    }
  });
}
