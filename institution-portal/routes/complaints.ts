import type { Request, Response, Router } from 'express';
import type { Services } from '../../server/container';
import { auditActor } from '../../server/http/audit-actor';
import type { HttpKit } from '../../server/http/kit';
import type { Render } from '../../server/http/render';
import { formFailure } from '../../server/http/form-failure';

/** `/partner/complaints`: complaints about this institution (consumer masked), and replies to the platform. */
export function complaintRoutes(r: Router, services: Services, kit: HttpKit, render: Render): void {
  const respond = kit.guards.institution('page', 'complaints.respond');

  r.get('/complaints', respond, async (req, res) => {
    await render(req, res, 'complaints', { title: '投诉', complaints: await services.complaints.listForInstitution(req.institutionId!) });
  });

  const show = async (req: Request, res: Response, extra: Record<string, unknown> = {}) => {
    const complaint = await services.complaints.getForInstitution(req.institutionId!, String(req.params.id), auditActor(req));
    await render(req, res, 'complaint', { title: complaint.subject, complaint, ...extra });
  };
  r.get('/complaints/:id', respond, (req, res) => show(req, res));

  r.post('/complaints/:id/messages', respond, async (req, res) => {
    try {
      await services.complaints.replyByInstitution(req.institutionId!, req.account!.id, String(req.params.id), String(req.body.body ?? ''));
      req.session.flash = { kind: 'success', message: '已回复平台' };
      res.redirect(303, `/partner/complaints/${String(req.params.id)}`);
    } catch (err) {
      const error = formFailure(res, err);
      await show(req, res, { error, values: req.body });
    }
  });
}
