import { auditActor } from '../../server/http/audit-actor';
import { guard, page } from '../../server/http/page-route';
import type { StaffPage } from './context';
import { formFailure } from '../../server/http/form-failure';

const show = async ({ params, principal, services, render, req }: StaffPage<{ id: string }>, extra: Record<string, unknown> = {}) => {
  const complaint = await services.complaints.getForInstitution(principal.institutionId, params.id, auditActor(req));
  await render('complaint', { title: complaint.subject, complaint, ...extra });
};

/** `/partner/complaints`: complaints about this institution (consumer masked), and replies to the platform. */
export const complaintPages = [
  page({
    method: 'get',
    path: '/complaints',
    guard: guard.institution('complaints.respond'),
    handler: async ({ principal, services, render }) => {
      await render('complaints', { title: '投诉', complaints: await services.complaints.listForInstitution(principal.institutionId) });
    },
  }),
  page({ method: 'get', path: '/complaints/:id', guard: guard.institution('complaints.respond'), handler: (ctx) => show(ctx) }),
  page({
    method: 'post',
    path: '/complaints/:id/messages',
    guard: guard.institution('complaints.respond'),
    handler: async (ctx) => {
      const { params, principal, services, req, res } = ctx;
      try {
        await services.complaints.replyByInstitution(principal.institutionId, principal.account.id, params.id, String(req.body.body ?? ''));
        req.session.flash = { kind: 'success', message: '已回复平台' };
        res.redirect(303, `/partner/complaints/${params.id}`);
      } catch (err) {
        const error = formFailure(res, err);
        await show(ctx, { error, values: req.body });
      }
    },
  }),
];
