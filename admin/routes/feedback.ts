import { ValidationError } from '../../server/lib/errors';
import { complaintStatusBody, reviewModerationBody } from '../../server/http/api/schemas';
import { auditActor } from '../../server/http/audit-actor';
import { formatMeasuredHours } from '../../server/lib/duration';
import type { OperatorPrincipal } from '../../server/http/guards';
import { guard, page } from '../../server/http/page-route';
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
import type { PageTools } from './application-page';

/** "首次答复剩 4.5 小时" / "办结超时约 18 分钟" for the deadline that matters now. */
function slaText(c: OperatorComplaintView): string {
  if (c.hoursLeft === null) return '—';
  const which = c.firstRespondedAt ? '办结' : '首次答复';
  return c.hoursLeft >= 0 ? `${which}剩 ${formatMeasuredHours(c.hoursLeft)}` : `${which}超时 ${formatMeasuredHours(-c.hoursLeft)}`;
}

const pick = <T extends string>(list: readonly T[], v: unknown): T | undefined => ((list as readonly string[]).includes(String(v)) ? (v as T) : undefined);

async function showComplaint({ req, services, render }: PageTools, id: string, extra: Record<string, unknown> = {}) {
  const complaint = await services.complaints.getForOperator(id, auditActor(req));
  await render('complaint', {
    title: complaint.subject,
    complaint: { ...complaint, sla: slaText(complaint) },
    handlers: await services.complaints.handlers(),
    nextStatuses: nextComplaintStatuses(complaint.status, 'operator').map((value) => ({ value, label: complaintStatusLabels[value] })),
    ...extra,
  });
}

type TicketContext = PageTools & { params: { id: string }; principal: OperatorPrincipal };

/** An operator action on a ticket; bad input or an illegal move shows the ticket again with the reason. */
const act = (action: string, work: (ctx: TicketContext) => Promise<void>, done: string) =>
  page({
    method: 'post',
    path: `/complaints/:id/${action}`,
    guard: guard.operator('complaints.handle'),
    handler: async (ctx) => {
      const { params, req, res } = ctx;
      try {
        await work(ctx);
        req.session.flash = { kind: 'success', message: done };
        res.redirect(303, `/admin/complaints/${params.id}`);
      } catch (err) {
        const error = formFailure(res, err);
        await showComplaint(ctx, params.id, { error, values: req.body });
      }
    },
  });

async function showReviews({ req, services, render }: PageTools, extra: Record<string, unknown> = {}) {
  const status = pick(reviewStatuses, req.query.status) ?? 'pending';
  await render('reviews', {
    title: '评价审核',
    reviews: await services.reviews.queue(status as ReviewStatus),
    status,
    statuses: reviewStatuses.map((value) => ({ value, label: reviewStatusLabels[value] })),
    ...extra,
  });
}

/** `/admin/complaints` (the ticket queue and each ticket) and `/admin/reviews` (moderation). */
export const feedbackPages = [
  page({
    method: 'get',
    path: '/complaints',
    guard: guard.operator('complaints.handle'),
    handler: async ({ req, principal, services, render }) => {
      const q = req.query;
      const filter: QueueFilter = {
        status: pick(complaintStatuses, q.status),
        category: pick(complaintCategories, q.category),
        institutionId: typeof q.institutionId === 'string' && q.institutionId ? q.institutionId : undefined,
        overdue: q.overdue === '1' || undefined,
        assigneeId: q.mine === '1' ? principal.account.id : undefined,
      };
      const [complaints, institutions] = await Promise.all([services.complaints.queue(filter), services.institutions.list()]);
      await render('complaints', {
        title: '投诉',
        complaints: complaints.map((c) => ({ ...c, sla: slaText(c) })),
        institutions,
        q: { ...filter, overdue: filter.overdue ? '1' : '', mine: q.mine === '1' ? '1' : '' },
        statuses: complaintStatuses.map((value) => ({ value, label: complaintStatusLabels[value] })),
        categories: complaintCategories.map((value) => ({ value, label: complaintCategoryLabels[value as ComplaintCategory] })),
        overdueCount: complaints.filter((c) => c.overdue).length,
      });
    },
  }),
  page({ method: 'get', path: '/complaints/:id', guard: guard.operator('complaints.handle'), handler: (ctx) => showComplaint(ctx, ctx.params.id) }),
  act(
    'assign',
    async ({ params, principal, req, services }) => {
      const assigneeId = req.body.assigneeId === 'me' ? principal.account.id : String(req.body.assigneeId ?? '');
      await services.complaints.assign(params.id, assigneeId, auditActor(req));
    },
    '已指派',
  ),
  act(
    'status',
    async ({ params, req, services }) => {
      const body = parse(complaintStatusBody, { status: req.body.status, note: req.body.note || undefined }, '状态变更有误');
      await services.complaints.changeStatus(params.id, body.status as ComplaintStatus, auditActor(req), body.note);
    },
    '状态已更新',
  ),
  act('notes', ({ params, req, services }) => services.complaints.addNote(params.id, String(req.body.body ?? ''), auditActor(req)), '备注已保存（仅运营可见）'),
  act(
    'messages',
    async ({ params, req, services }) => {
      const to = req.body.to === 'institution' ? 'institution' : req.body.to === 'consumer' ? 'consumer' : undefined;
      if (!to) throw new ValidationError('请选择发送对象', { to: '请选择用户或机构' });
      await services.complaints.messageFromOperator(params.id, to, String(req.body.body ?? ''), auditActor(req));
    },
    '已发送',
  ),

  // ── reviews ──────────────────────────────────────────────────────────────────────────────
  page({ method: 'get', path: '/reviews', guard: guard.operator('reviews.moderate'), handler: (ctx) => showReviews(ctx) }),
  page({
    method: 'post',
    path: '/reviews/:id/moderate',
    guard: guard.operator('reviews.moderate'),
    handler: async (ctx) => {
      const { params, req, res, services } = ctx;
      try {
        const body = parse(reviewModerationBody, { decision: req.body.decision, reason: req.body.reason || undefined }, '审核信息有误');
        await services.reviews.moderate(params.id, body.decision, body.reason, auditActor(req));
        req.session.flash = { kind: 'success', message: body.decision === 'approved' ? '已通过，评价将在产品页展示' : '已拒绝' };
        res.redirect(303, '/admin/reviews');
      } catch (err) {
        const error = formFailure(res, err);
        await showReviews(ctx, { error, failedId: params.id });
      }
    },
  }),
];
