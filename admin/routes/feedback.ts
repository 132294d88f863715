import type { Request, Response, Router } from 'express';
import type { Services } from '../../server/container';
import { ValidationError } from '../../server/lib/errors';
import { complaintStatusBody, reviewModerationBody } from '../../server/http/api/schemas';
import { auditActor } from '../../server/http/audit-actor';
import { formatMeasuredHours } from '../../server/lib/duration';
import type { HttpKit } from '../../server/http/kit';
import type { Render } from '../../server/http/render';
import { parse } from '../../server/http/validate';
import {
  complaintCategories,
  complaintCategoryLabels,
  complaintStatuses,
  complaintStatusLabels,
  nextComplaintStatuses,
  reviewStatuses,
  reviewStatusLabels,
  type ComplaintCategory,
  type ComplaintStatus,
  type OperatorComplaintView,
  type QueueFilter,
  type ReviewStatus,
} from '../../server/modules/feedback';
import { formFailure } from '../../server/http/form-failure';

/** "首次答复剩 4.5 小时" / "办结超时约 18 分钟" for the deadline that matters now. */
function slaText(c: OperatorComplaintView): string {
  if (c.hoursLeft === null) return '—';
  const which = c.firstRespondedAt ? '办结' : '首次答复';
  return c.hoursLeft >= 0 ? `${which}剩 ${formatMeasuredHours(c.hoursLeft)}` : `${which}超时 ${formatMeasuredHours(-c.hoursLeft)}`;
}

const pick = <T extends string>(list: readonly T[], v: unknown): T | undefined => ((list as readonly string[]).includes(String(v)) ? (v as T) : undefined);

/** `/admin/complaints` (the ticket queue and each ticket) and `/admin/reviews` (moderation). */
export function feedbackRoutes(r: Router, services: Services, kit: HttpKit, render: Render): void {
  const handle = kit.guards.operator('page', 'complaints.handle');
  const moderate = kit.guards.operator('page', 'reviews.moderate');

  r.get('/complaints', handle, async (req, res) => {
    const q = req.query;
    const filter: QueueFilter = {
      status: pick(complaintStatuses, q.status),
      category: pick(complaintCategories, q.category),
      institutionId: typeof q.institutionId === 'string' && q.institutionId ? q.institutionId : undefined,
      overdue: q.overdue === '1' || undefined,
      assigneeId: q.mine === '1' ? req.account!.id : undefined,
    };
    const [complaints, institutions] = await Promise.all([services.complaints.queue(filter), services.institutions.list()]);
    await render(req, res, 'complaints', {
      title: '投诉',
      complaints: complaints.map((c) => ({ ...c, sla: slaText(c) })),
      institutions,
      q: { ...filter, overdue: filter.overdue ? '1' : '', mine: q.mine === '1' ? '1' : '' },
      statuses: complaintStatuses.map((value) => ({ value, label: complaintStatusLabels[value] })),
      categories: complaintCategories.map((value) => ({ value, label: complaintCategoryLabels[value as ComplaintCategory] })),
      overdueCount: complaints.filter((c) => c.overdue).length,
    });
  });

  const showComplaint = async (req: Request, res: Response, extra: Record<string, unknown> = {}) => {
    const complaint = await services.complaints.getForOperator(String(req.params.id), auditActor(req));
    await render(req, res, 'complaint', {
      title: complaint.subject,
      complaint: { ...complaint, sla: slaText(complaint) },
      handlers: await services.complaints.handlers(),
      nextStatuses: nextComplaintStatuses(complaint.status, 'operator').map((value) => ({ value, label: complaintStatusLabels[value] })),
      ...extra,
    });
  };
  r.get('/complaints/:id', handle, (req, res) => showComplaint(req, res));

  /** An operator action on a ticket; bad input or an illegal move shows the ticket again with the reason. */
  const act = (work: (req: Request) => Promise<void>, done: string) => async (req: Request, res: Response) => {
    try {
      await work(req);
      req.session.flash = { kind: 'success', message: done };
      res.redirect(303, `/admin/complaints/${String(req.params.id)}`);
    } catch (err) {
      const error = formFailure(res, err);
      await showComplaint(req, res, { error, values: req.body });
    }
  };

  r.post(
    '/complaints/:id/assign',
    handle,
    act(async (req) => {
      const assigneeId = req.body.assigneeId === 'me' ? req.account!.id : String(req.body.assigneeId ?? '');
      await services.complaints.assign(String(req.params.id), assigneeId, auditActor(req));
    }, '已指派'),
  );
  r.post(
    '/complaints/:id/status',
    handle,
    act(async (req) => {
      const body = parse(complaintStatusBody, { status: req.body.status, note: req.body.note || undefined }, '状态变更有误');
      await services.complaints.changeStatus(String(req.params.id), body.status as ComplaintStatus, auditActor(req), body.note);
    }, '状态已更新'),
  );
  r.post(
    '/complaints/:id/notes',
    handle,
    act((req) => services.complaints.addNote(String(req.params.id), String(req.body.body ?? ''), auditActor(req)), '备注已保存（仅运营可见）'),
  );
  r.post(
    '/complaints/:id/messages',
    handle,
    act(async (req) => {
      const to = req.body.to === 'institution' ? 'institution' : req.body.to === 'consumer' ? 'consumer' : undefined;
      if (!to) throw new ValidationError('请选择发送对象', { to: '请选择用户或机构' });
      await services.complaints.messageFromOperator(String(req.params.id), to, String(req.body.body ?? ''), auditActor(req));
    }, '已发送'),
  );

  // ── reviews ──────────────────────────────────────────────────────────────────────────────
  const showReviews = async (req: Request, res: Response, extra: Record<string, unknown> = {}) => {
    const status = pick(reviewStatuses, req.query.status) ?? 'pending';
    await render(req, res, 'reviews', {
      title: '评价审核',
      reviews: await services.reviews.queue(status as ReviewStatus),
      status,
      statuses: reviewStatuses.map((value) => ({ value, label: reviewStatusLabels[value] })),
      ...extra,
    });
  };
  r.get('/reviews', moderate, (req, res) => showReviews(req, res));
  r.post('/reviews/:id/moderate', moderate, async (req, res) => {
    try {
      const body = parse(reviewModerationBody, { decision: req.body.decision, reason: req.body.reason || undefined }, '审核信息有误');
      await services.reviews.moderate(String(req.params.id), body.decision, body.reason, auditActor(req));
      req.session.flash = { kind: 'success', message: body.decision === 'approved' ? '已通过，评价将在产品页展示' : '已拒绝' };
      res.redirect(303, '/admin/reviews');
    } catch (err) {
      const error = formFailure(res, err);
      await showReviews(req, res, { error, failedId: String(req.params.id) });
    }
  });
}
